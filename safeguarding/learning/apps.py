from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.learning"
    label = "learning"
    verbose_name = "Learning events and learning briefings"

    def ready(self) -> None:
        from safeguarding.core import demo, home, navigation, sections
        from safeguarding.learning import home_panels, permissions
        from safeguarding.learning.demo import seed_learning

        navigation.register("Learning", "learning:events", order=70, visible=permissions.is_person)
        home.register("learning_events", home_panels.my_learning, order=35)
        sections.register("review", "learning_from_review", home_panels.review_section, order=50)
        demo.register("learning", seed_learning, order=70)

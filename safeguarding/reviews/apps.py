from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safeguarding.reviews"
    label = "reviews"
    verbose_name = "Case reviews (notifications, rapid reviews, practice reviews)"

    def ready(self) -> None:
        from safeguarding.core import demo, home, navigation, sections

        # The rules: `permissions` registers the page-level ones, `workflow` one per stage transition.
        from safeguarding.reviews import home_panels, permissions, workflow  # noqa: F401
        from safeguarding.reviews.demo import seed_reviews
        from safeguarding.reviews.demo_decisions import seed_review_decisions
        from safeguarding.reviews.views_publication import section as publication_section

        navigation.register("Case reviews", "reviews:index", order=60, visible=permissions.can_use_reviews)
        demo.register("reviews", seed_reviews, order=40)
        demo.register("reviews-decisions", seed_review_decisions, order=41)
        sections.register("review", "publication", publication_section, order=20)
        home.register("review_requests", home_panels.open_requests, order=25)
        home.register("review_monitoring", home_panels.monitoring, order=46)

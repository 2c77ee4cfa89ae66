from django.apps import AppConfig


class CensusConfig(AppConfig):
    name = "safeguarding.census"
    label = "census"
    verbose_name = "Children in Need census"

    def ready(self) -> None:
        from safeguarding.census.demo import seed_census
        from safeguarding.core import demo

        # After every other step: it completes what they made (children, referrals, assessments, plans).
        demo.register("census", seed_census, order=99)

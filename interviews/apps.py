from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "interviews"
    verbose_name = "Applications and interviews"

    def ready(self) -> None:
        # Keeps Candidate.email_verified in step with allauth's email addresses.
        from interviews import auth  # noqa: F401

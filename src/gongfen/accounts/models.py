from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who logs in (账号): 组织部 staff, unit administrators, reviewers, cadres.

    Roles and scopes come with the web application; a custom user model is
    in place from the first migration so that they can be added without a rewrite.
    """

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

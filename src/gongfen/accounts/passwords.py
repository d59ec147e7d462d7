"""The password policy's own words (settings.AUTH_PASSWORD_VALIDATORS): Django's minimum length, said in Chinese.

Django's Chinese catalogue lacks the current wording of the minimum-length message, which then
shows in English on a Chinese page; the other validators' messages are Django's own translations.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短：至少需要 %(n)d 个字符") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(n)d 个字符") % {"n": self.min_length}

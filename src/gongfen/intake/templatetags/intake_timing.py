"""``{% form_opened %}``: the hidden, signed "form opened at" stamp of a declaration form (填报用时)."""

from django import template
from django.utils.html import format_html

from ..timing import stamp_kept

register = template.Library()


@register.simple_tag(takes_context=True)
def form_opened(context) -> str:
    request = context.get("request")
    posted = request.POST.get("form_opened") if request is not None and request.method == "POST" else None
    return format_html('<input type="hidden" name="form_opened" value="{}">', stamp_kept(posted))

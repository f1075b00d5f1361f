from django import template

from ..verification import Verdict

register = template.Library()


@register.simple_tag
def product_verdict(product) -> Verdict:
    """What the register says of a product today, from its prefetched certificates."""
    return Verdict.for_product(product)

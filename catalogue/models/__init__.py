from .categories import Category
from .codes import PUBLIC_CODE_PATTERN, PUBLIC_CODE_PREFIX, CodeSequence, public_code
from .counts import headline_figures
from .media import ProductImage, ProductLink
from .producers import Producer
from .products import Product, ProductQuerySet
from .stars import RatingState, stars_stored_at_the_end, stored_stars_columns

__all__ = [
    "PUBLIC_CODE_PATTERN",
    "PUBLIC_CODE_PREFIX",
    "Category",
    "CodeSequence",
    "Producer",
    "Product",
    "ProductImage",
    "ProductLink",
    "ProductQuerySet",
    "RatingState",
    "headline_figures",
    "public_code",
    "stars_stored_at_the_end",
    "stored_stars_columns",
]

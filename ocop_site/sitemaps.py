"""Every app's sitemap sections, for /sitemap.xml (the root URLs pass them to the views)."""

from catalogue.sitemaps import SITEMAPS as CATALOGUE_SITEMAPS
from events.sitemaps import SITEMAPS as EVENT_SITEMAPS
from opendata.sitemaps import SITEMAPS as OPENDATA_SITEMAPS
from trade.sitemaps import SITEMAPS as TRADE_SITEMAPS

SITEMAPS = {
    **CATALOGUE_SITEMAPS,
    **EVENT_SITEMAPS,
    **TRADE_SITEMAPS,
    **OPENDATA_SITEMAPS,
}

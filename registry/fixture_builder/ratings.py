"""The ratings of ratings.csv, exactly as each source states them."""

from decimal import Decimal, InvalidOperation

from certification.models import Certificate
from core.dates import PartialDate
from core.text import slugify_vi

from .reading import DataError
from .sources import Sources

LEVELS = {
    "national": Certificate.IssuerLevel.CENTRAL,
    "provincial": Certificate.IssuerLevel.PROVINCE,
    "district": Certificate.IssuerLevel.DISTRICT,
    "": "",
}
EVIDENCE = {
    "decision": Certificate.Evidence.DECISION,
    "report": Certificate.Evidence.REPORT,
    "later report": Certificate.Evidence.LATER_REPORT,
}


def partial_date(text: str, what: str, n: int) -> PartialDate | None:
    try:
        return PartialDate.parse(text)
    except ValueError as error:
        raise DataError(f"ratings.csv row {n}: {what}: {error}") from None


def rating_fields(n: int, row: dict[str, str], product_slug: str, sources: Sources) -> dict:
    """One certification.certificate fixture row, with the columns save() would compute."""
    if row["level"] not in LEVELS or row["evidence"] not in EVIDENCE:
        raise DataError(f"ratings.csv row {n}: unknown level or evidence in {row}")
    try:
        score = Decimal(row["score"]) if row["score"] else None
    except InvalidOperation:
        raise DataError(f"ratings.csv row {n}: score {row['score']!r}") from None
    decided = partial_date(row["decision_date"], "decision_date", n)
    valid_until = partial_date(row["valid_until"], "valid_until", n)
    reported = partial_date(row["reported_on"], "reported_on", n)
    round_year = row["round_year"][:4]
    if round_year and not round_year.isdigit():
        raise DataError(f"ratings.csv row {n}: round_year {row['round_year']!r}")
    rating = Certificate(
        stars=int(row["stars"]) if row["stars"] else None,
        score=score,
        decision_number=row["decision_number"],
        decision_date=decided.first_day if decided else None,
        decision_date_precision=decided.precision if decided else "day",
        round_year=int(round_year) if round_year else None,
        batch=row["batch"],
        issuer=row["issuer"],
        issuer_level=LEVELS[row["level"]],
        # The earliest day a stated validity can end, where a source gives only its month.
        valid_until=valid_until.first_day if valid_until else None,
        evidence=EVIDENCE[row["evidence"]],
        reported_on=reported.first_day if reported else None,
        reported_on_precision=reported.precision if reported else "day",
        note=row["note"],
        record_key="-",  # set below, unique within the product
    )
    rating.set_validity()
    return {
        "product": [product_slug],
        "stars": rating.stars,
        "score": f"{score}" if score is not None else None,
        "decision_number": rating.decision_number,
        "decision_date": iso(rating.decision_date),
        "decision_date_precision": rating.decision_date_precision,
        "round_year": rating.round_year,
        "batch": rating.batch,
        "issuer": rating.issuer,
        "issuer_level": rating.issuer_level,
        "valid_until": iso(rating.valid_until),
        "evidence": rating.evidence,
        "reported_on": iso(rating.reported_on),
        "reported_on_precision": rating.reported_on_precision,
        "commune": None,
        "sources": sources.add(row["source"], reported),
        "revoked_on": None,
        "revocation_reason": "",
        "note": rating.note,
        "record_key": record_key(row),
        "starts_on": iso(rating.starts_on),
        "ends_on": iso(rating.ends_on),
        "ends_by": iso(rating.ends_by),
    }


def record_key(row: dict[str, str]) -> str:
    parts = [row["decision_number"]] or []
    if not row["decision_number"]:
        parts = [row["round_year"], row["batch"], row["evidence"], row["reported_on"]]
    return slugify_vi(" ".join(part for part in parts if part))[:100] or "rating"


def unique_keys(ratings: list[dict]) -> None:
    """Number the record keys that repeat within a product (-2, -3, …), in row order."""
    seen: dict[tuple, int] = {}
    for rating in ratings:
        key = (rating["product"][0], rating["record_key"])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            rating["record_key"] = f"{rating['record_key']}-{seen[key]}"


def iso(day) -> str | None:
    return day.isoformat() if day else None

"""`search`: the front desk's one box, finding clients and patients, best match first."""

from __future__ import annotations

from typing import Annotated

import strawberry

from db import front_desk as sql
from domain.front_desk import rules
from graph.context import Context
from graph.permissions import clinic_of
from graph.resolvers.front_desk.owners import search_terms
from graph.types.front_desk import SearchHit
from graph.types.people import Profile
from graph.types.pet import Pet

MAX_HITS = 50


async def search(
    info: strawberry.Info[Context, None],
    text: Annotated[
        str,
        strawberry.argument(
            description="Name (accents and case ignored, part of a word too), document, phone in any format, "
            "e-mail, pet name or microchip."
        ),
    ],
    first: Annotated[int, strawberry.argument(description=f"How many matches, at most {MAX_HITS}.")] = 20,
) -> list[SearchHit]:
    """Clients and patients of the clinic that match, best first (archived ones left out). Staff only."""
    tenant = clinic_of(info)
    limit = max(1, min(first, MAX_HITS))
    db = info.context.db
    terms = await search_terms(db, text)
    # The text folded once, then one statement per table (sequential: one connection per request), merged by score.
    owner_rows = await sql.search_owners(db, tenant, terms, limit)
    pet_rows = await sql.search_pets(db, tenant, terms, rules.document_search(text), limit)
    loaders = info.context.loaders
    hits: list[tuple[float, int, SearchHit]] = []
    for i, row in enumerate(owner_rows):
        loaders.profile_by_id.prime(row["id"], row)
        hits.append(
            (float(row["_score"]), i, SearchHit(score=float(row["_score"]), owner=Profile.from_row(row), pet=None))
        )
    for i, row in enumerate(pet_rows):
        loaders.pet_by_id.prime(row["id"], row)
        hits.append((float(row["_score"]), i, SearchHit(score=float(row["_score"]), owner=None, pet=Pet.from_row(row))))
    hits.sort(key=lambda h: (-h[0], h[1]))
    return [h[2] for h in hits[:limit]]

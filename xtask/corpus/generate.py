#!/usr/bin/env python3
"""The FastAPI/pydantic corpus: small services exercising what pydantic v2
and FastAPI emit, written out as OpenAPI documents and sample payloads.

    python3 -m venv /tmp/corpus-venv
    /tmp/corpus-venv/bin/pip install -r xtask/corpus/requirements.txt
    /tmp/corpus-venv/bin/python xtask/corpus/generate.py

Writes `specs/<app>.json` (each app's `app.openapi()`) and
`samples/<app>/<Model>.json` (a JSON array of payloads, each
`model_dump(mode="json", by_alias=True)` of a pydantic value) and
`samples/<app>/<Model>.non-default.json` (the same values dumped with
`exclude_defaults=True`: what a decoder must not lose) beside this file. The outputs are deterministic and committed, so nothing that reads
them needs Python.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, Optional, TypeVar, Union

from fastapi import (
    Body,
    Cookie,
    FastAPI,
    File,
    Form,
    Header,
    Path as PathParam,
    Query,
    Response,
    UploadFile,
)
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

HERE = Path(__file__).resolve().parent
APPS: dict[str, FastAPI] = {}
SAMPLES: dict[str, dict[str, tuple[Any, list[Any]]]] = {}


def app(name: str, title: str) -> FastAPI:
    a = FastAPI(title=title, version="0.1.0")
    APPS[name] = a
    SAMPLES[name] = {}
    return a


def samples(app_name: str, name: str, tp: Any, values: list[Any]) -> None:
    """Registers payloads for `tp` (a model or any type a TypeAdapter takes)."""
    SAMPLES[app_name][name] = (tp, values)


# ---------------------------------------------------------------------------
# nullable: Optional in every position.
# ---------------------------------------------------------------------------

nullable = app("nullable", "Nullable corpus")


class Child(BaseModel):
    label: str
    weight: Optional[float] = None


class ItemIn(BaseModel):
    name: Optional[str] = None
    required_nullable: Optional[int]
    values: list[Optional[int]] = []
    meta: dict[str, Optional[str]] = {}
    child: Optional[Child] = None
    children: Optional[list[Optional[Child]]] = None
    bounded: Optional[Annotated[str, Field(max_length=10)]] = None


class ItemOut(BaseModel):
    id: int
    name: Optional[str]
    values: list[Optional[int]]
    meta: dict[str, Optional[str]]
    child: Optional[Child]
    children: Optional[list[Optional[Child]]]
    note: Optional[str] = None


@nullable.post("/items/{item_id}", response_model=ItemOut, operation_id="upsertItem")
def upsert_item(
    item_id: Annotated[int, PathParam(ge=1)],
    q: Optional[str] = None,
    limit: Annotated[Optional[int], Query(ge=1, le=100)] = None,
    tags: Annotated[Optional[list[str]], Query()] = None,
    x_request_id: Annotated[Optional[str], Header(max_length=255)] = None,
    x_trace: Annotated[Optional[str], Header()] = None,
    session: Annotated[Optional[str], Cookie()] = None,
    body: Optional[ItemIn] = None,
) -> ItemOut:
    raise NotImplementedError


@nullable.get("/maybe/{slot}", response_model=Optional[Child], operation_id="maybeChild")
def maybe_child(slot: Optional[str]) -> Optional[Child]:
    """A nullable path parameter and a nullable whole response."""
    raise NotImplementedError


@nullable.put("/children", response_model=list[Optional[Child]], operation_id="putChildren")
def put_children(body: list[Optional[Child]]) -> list[Optional[Child]]:
    """An array body with nullable items, and an array response."""
    raise NotImplementedError


@nullable.patch("/meta", response_model=dict[str, Optional[Child]], operation_id="patchMeta")
def patch_meta(body: Annotated[dict[str, Optional[int]], Body()]) -> dict[str, Optional[Child]]:
    """A map body with nullable values, and a map response."""
    raise NotImplementedError


samples(
    "nullable",
    "ItemIn",
    ItemIn,
    [
        ItemIn(required_nullable=None),
        ItemIn(
            name="x",
            required_nullable=3,
            values=[1, None, 3],
            meta={"a": "b", "c": None},
            child=Child(label="c", weight=1.5),
            children=[Child(label="d"), None],
            bounded="short",
        ),
    ],
)
samples(
    "nullable",
    "ItemOut",
    ItemOut,
    [
        ItemOut(id=1, name=None, values=[], meta={}, child=None, children=None),
        ItemOut(
            id=2,
            name="n",
            values=[None, 2],
            meta={"k": None},
            child=Child(label="c"),
            children=[None, Child(label="e", weight=0.0)],
            note="hi",
        ),
    ],
)
samples("nullable", "Child", Child, [Child(label="a"), Child(label="b", weight=2.0)])

# ---------------------------------------------------------------------------
# unions: discriminated (string and integer tags, nested, shared branch),
# plain unions, Literal[True].
# ---------------------------------------------------------------------------

unions = app("unions", "Unions corpus")


class Cat(BaseModel):
    pet_type: Literal["cat"]
    meows: int = 0


class Dog(BaseModel):
    pet_type: Literal["dog"]
    barks: float
    good_boy: Literal[True] = True


class Horse(BaseModel):
    pet_type: Literal["horse"]
    hands: float


Pet = Annotated[Union[Cat, Dog], Field(discriminator="pet_type")]
# Dog is a branch of both Pet and WorkingAnimal.
WorkingAnimal = Annotated[Union[Dog, Horse], Field(discriminator="pet_type")]


class V1(BaseModel):
    version: Literal[1]
    text: str


class V2(BaseModel):
    version: Literal[2]
    text: str
    lang: str = "en"


Versioned = Annotated[Union[V1, V2], Field(discriminator="version")]


class Adopted(BaseModel):
    kind: Literal["adopted"]
    pet: Pet


class Hired(BaseModel):
    kind: Literal["hired"]
    worker: WorkingAnimal
    note: Versioned


Event = Annotated[Union[Adopted, Hired], Field(discriminator="kind")]


class Envelope(BaseModel):
    event: Event
    # A plain union: no discriminator, overlapping primitive branches.
    value: Union[int, str, Cat]
    maybe: Union[int, str, None] = None
    pets: list[Pet] = []
    ok: Literal[True] = True


@unions.post("/events", response_model=Envelope, operation_id="postEvent")
def post_event(body: Envelope) -> Envelope:
    raise NotImplementedError


@unions.post("/pets", response_model=Pet, operation_id="createPet")
def create_pet(body: Annotated[Pet, Body()]) -> Any:
    """A discriminated union as the whole body and the whole response."""
    raise NotImplementedError


@unions.post("/workers", response_model=list[WorkingAnimal], operation_id="listWorkers")
def list_workers(body: Annotated[Versioned, Body()]) -> Any:
    raise NotImplementedError


@unions.get("/value", response_model=Union[int, str, Cat], operation_id="getValue")
def get_value() -> Any:
    raise NotImplementedError


samples(
    "unions",
    "Envelope",
    Envelope,
    [
        Envelope(event=Adopted(kind="adopted", pet=Cat(pet_type="cat")), value=3),
        Envelope(
            event=Hired(
                kind="hired",
                worker=Horse(pet_type="horse", hands=15.2),
                note=V2(version=2, text="t"),
            ),
            value="s",
            maybe=None,
            pets=[Dog(pet_type="dog", barks=2.0), Cat(pet_type="cat", meows=4)],
        ),
        Envelope(
            event=Hired(
                kind="hired",
                worker=Dog(pet_type="dog", barks=1.0),
                note=V1(version=1, text="one"),
            ),
            value=Cat(pet_type="cat", meows=1),
            maybe=7,
        ),
    ],
)
samples(
    "unions",
    "Pet",
    Pet,
    [Cat(pet_type="cat"), Dog(pet_type="dog", barks=0.5)],
)
samples(
    "unions",
    "WorkingAnimal",
    WorkingAnimal,
    [Dog(pet_type="dog", barks=3.0), Horse(pet_type="horse", hands=14.0)],
)
samples(
    "unions",
    "Versioned",
    Versioned,
    [V1(version=1, text="a"), V2(version=2, text="b", lang="fr")],
)

# ---------------------------------------------------------------------------
# shapes: enums, constraints, formats, maps of models, recursion, generics,
# aliases, defaults at every depth, Decimal (separate input/output schemas).
# ---------------------------------------------------------------------------

shapes = app("shapes", "Shapes corpus")


class Color(str, enum.Enum):
    red = "red"
    green = "green"
    dark_blue = "dark-blue"


class Priority(enum.IntEnum):
    low = 1
    mid = 5
    high = 10


class Settings(BaseModel):
    retries: int = 3
    color: Color = Color.red
    tags: list[str] = Field(default_factory=lambda: ["a"])


class Profile(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    display_name: str = Field(alias="displayName")
    user_id: uuid.UUID = Field(alias="userID")
    # Nested defaults: a default model inside a default model.
    settings: Settings = Settings()
    priority: Priority = Priority.mid
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}-\d+$", min_length=5, max_length=12)]
    score: Annotated[float, Field(gt=0, le=100, multiple_of=0.5)] = 50.0
    count: Annotated[int, Field(ge=0, lt=1000)] = 0
    born: dt.date
    seen: dt.datetime
    avatar: Optional[bytes] = None
    extras: dict[str, Settings] = {}


class TreeNode(BaseModel):
    name: str
    children: list["TreeNode"] = []
    parent: Optional["TreeNode"] = None


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_token: Optional[str] = None
    total: int


class Money(BaseModel):
    # Decimal: a number or a string when validating, a string when
    # serializing, so FastAPI writes Money-Input and Money-Output.
    amount: Decimal
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "USD"


# Two models named `Item` in two modules: pydantic names both by module
# (`corpus__billing__Item`).
BillingItem = create_model("Item", __module__="corpus.billing", sku=(str, ...), cents=(int, ...))
ShippingItem = create_model("Item", __module__="corpus.shipping", sku=(str, ...), grams=(int, 0))


class Catalog(BaseModel):
    billed: list[BillingItem]  # type: ignore[valid-type]
    shipped: list[ShippingItem]  # type: ignore[valid-type]


@shapes.put("/catalog", response_model=Catalog, operation_id="putCatalog")
def put_catalog(body: Catalog) -> Catalog:
    raise NotImplementedError


@shapes.post("/profiles", response_model=Profile, operation_id="createProfile")
def create_profile(body: Profile) -> Profile:
    raise NotImplementedError


@shapes.get("/profiles", response_model=Page[Profile], operation_id="listProfiles")
def list_profiles(
    color: Optional[Color] = None,
    priority: Priority = Priority.low,
    after: Optional[dt.datetime] = None,
) -> Any:
    raise NotImplementedError


@shapes.get("/trees/{id}", response_model=TreeNode, operation_id="getTree")
def get_tree(id: uuid.UUID) -> TreeNode:
    raise NotImplementedError


@shapes.get("/nodes", response_model=Page[TreeNode], operation_id="listNodes")
def list_nodes(page_size: Annotated[int, Query(ge=1, le=50)] = 10) -> Any:
    raise NotImplementedError


@shapes.post("/prices", response_model=Money, operation_id="quote")
def quote(body: Money) -> Money:
    raise NotImplementedError


PROFILE = Profile(
    displayName="Ada",
    userID=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    code="ABC-12",
    born=dt.date(1815, 12, 10),
    seen=dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
)
samples(
    "shapes",
    "Profile",
    Profile,
    [
        PROFILE,
        Profile(
            displayName="Grace",
            userID=uuid.UUID("00000000-0000-0000-0000-000000000001"),
            settings=Settings(retries=0, color=Color.dark_blue, tags=[]),
            priority=Priority.high,
            code="XYZ-999999",
            score=99.5,
            count=999,
            born=dt.date(1906, 12, 9),
            seen=dt.datetime(2024, 6, 1, 12, 0, 0, 123000, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            avatar=b"\x00\x01png",
            extras={"x": Settings(), "y": Settings(retries=9)},
        ),
    ],
)
samples(
    "shapes",
    "Page_Profile_",
    Page[Profile],
    [Page[Profile](items=[], total=0), Page[Profile](items=[PROFILE], next_token="t", total=2)],
)
samples(
    "shapes",
    "Catalog",
    Catalog,
    [
        Catalog(billed=[], shipped=[]),
        Catalog(billed=[BillingItem(sku="a", cents=100)], shipped=[ShippingItem(sku="a"), ShippingItem(sku="b", grams=5)]),
    ],
)
TREE = TreeNode(name="root", children=[TreeNode(name="a", children=[TreeNode(name="b")]), TreeNode(name="c")])
samples("shapes", "TreeNode", TreeNode, [TreeNode(name="leaf"), TREE, TreeNode(name="x", parent=TreeNode(name="p"))])
samples("shapes", "Page_TreeNode_", Page[TreeNode], [Page[TreeNode](items=[TREE], total=1)])
samples(
    "shapes",
    "Money",
    Money,
    [Money(amount=Decimal("1.50")), Money(amount=Decimal("-0.001"), currency="EUR")],
)

# ---------------------------------------------------------------------------
# operations: 201/202/204, several error bodies next to
# HTTPValidationError, deprecated operations, multipart upload.
# ---------------------------------------------------------------------------

# Titled like a real service: a spec with an `ErrorBody` of its own gets the
# union of its errors named after the API (`JobsErrorBody`).
operations = app("operations", "Jobs API")


class Job(BaseModel):
    id: str
    status: Literal["queued", "running", "done"]


class NotFound(BaseModel):
    detail: str
    resource: str


class Conflict(BaseModel):
    detail: str
    existing_id: str


class RateLimited(BaseModel):
    message: str
    retry_after: int


class ErrorBody(BaseModel):
    """The service's own error body, named as FastAPI users often do."""

    code: str
    message: str


class NewJob(BaseModel):
    name: str
    priority: int = 0


class Uploaded(BaseModel):
    filename: str
    size: int
    description: Optional[str] = None


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": NotFound, "description": "No such job"},
    409: {"model": Conflict, "description": "Already exists"},
    429: {"model": RateLimited, "description": "Slow down"},
    500: {"model": ErrorBody, "description": "Server error"},
}


@operations.post(
    "/jobs",
    status_code=201,
    response_model=Job,
    operation_id="createJob",
    responses={409: ERRORS[409], 429: ERRORS[429], 500: ERRORS[500]},
)
def create_job(body: NewJob) -> Job:
    raise NotImplementedError


@operations.post(
    "/jobs/{job_id}/run",
    status_code=202,
    response_model=Job,
    operation_id="runJob",
    responses={404: ERRORS[404], 429: ERRORS[429]},
)
def run_job(job_id: str) -> Job:
    raise NotImplementedError


@operations.delete(
    "/jobs/{job_id}",
    status_code=204,
    response_class=Response,
    response_model=None,
    operation_id="deleteJob",
    responses={404: ERRORS[404]},
)
def delete_job(job_id: str) -> None:
    raise NotImplementedError


@operations.get(
    "/jobs/{job_id}",
    response_model=Job,
    operation_id="getJob",
    deprecated=True,
    responses={404: ERRORS[404]},
)
def get_job(job_id: str) -> Job:
    raise NotImplementedError


@operations.get(
    "/legacy/jobs",
    response_model=list[Job],
    operation_id="listJobsLegacy",
    deprecated=True,
)
def list_jobs_legacy(
    old_filter: Annotated[Optional[str], Query(deprecated=True)] = None,
) -> list[Job]:
    raise NotImplementedError


@operations.post("/uploads", status_code=201, response_model=Uploaded, operation_id="upload")
def upload(
    file: Annotated[UploadFile, File()],
    description: Annotated[Optional[str], Form()] = None,
    tags: Annotated[list[str], Form()] = [],
) -> Uploaded:
    raise NotImplementedError


samples("operations", "Job", Job, [Job(id="j1", status="queued"), Job(id="j2", status="done")])
samples("operations", "NewJob", NewJob, [NewJob(name="n"), NewJob(name="m", priority=5)])
samples("operations", "NotFound", NotFound, [NotFound(detail="gone", resource="job")])
samples("operations", "Conflict", Conflict, [Conflict(detail="dup", existing_id="j1")])
samples("operations", "ErrorBody", ErrorBody, [ErrorBody(code="internal", message="try later")])
samples("operations", "RateLimited", RateLimited, [RateLimited(message="slow", retry_after=30)])
samples(
    "operations",
    "Uploaded",
    Uploaded,
    [Uploaded(filename="a.png", size=3), Uploaded(filename="b.mp4", size=10, description="d")],
)


# ---------------------------------------------------------------------------


def dump(tp: Any, value: Any, exclude_defaults: bool = False) -> Any:
    return TypeAdapter(tp).dump_python(
        value, mode="json", by_alias=True, exclude_defaults=exclude_defaults
    )


def write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, sort_keys=False) + "\n")


def main() -> None:
    for name, a in APPS.items():
        write_json(HERE / "specs" / f"{name}.json", a.openapi())
        for model, (tp, values) in SAMPLES[name].items():
            payloads = [dump(tp, v) for v in values]
            # Every payload must read back as the type it was dumped from.
            for p in payloads:
                TypeAdapter(tp).validate_python(p)
            write_json(HERE / "samples" / name / f"{model}.json", payloads)
            non_default = [dump(tp, v, exclude_defaults=True) for v in values]
            write_json(HERE / "samples" / name / f"{model}.non-default.json", non_default)


if __name__ == "__main__":
    main()

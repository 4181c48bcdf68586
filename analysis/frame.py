"""The survey frame of one dataset: roster people, respondents, derived variables — then weights and links.

A :class:`SurveyFrame` is built in steps, each a plain function:

1. :func:`build_frame` — the population (``frame``), the respondents and the variables
   derived from their answers (definitions below);
2. :func:`add_weights` — raked non-response weights (:func:`analysis.weights.rake`);
3. :func:`add_links` — each business linked to its owner's trainings
   (:func:`analysis.linkage.link_rows`).

The steps are independent: weights never run the text linkage, links never run the
raking.  :func:`survey_frame` runs all three and memoises the result on the dataset for
the given :class:`FrameOptions` (and the sector map's content), so every table function
sees the same respondents, definitions and weights.  Every table function of
:mod:`analysis.tables` accepts either a :class:`~analysis.dataset.Dataset` (plus frame
options) or a ready :class:`SurveyFrame`.

Definitions (also in ``docs/ANALYSIS.md``):

* **respondent**: a response with status ``submitted`` (partial and declined responses
  count as non-response);
* **frame**: the whole roster (``alumni.csv``), or only invited alumni with
  ``frame="invited"``;
* **runs a business**: ``job_status`` in 1, 2, 3 or ``side_business = 'yes'``;
* **age group** at the wave's year (manifest ``created_at``): <25, 25–34, 35–44, 45+;
* **training categories**: the categories of the person's roster trainings (a person can
  be in several);
* **started after training**: ``business_started`` later than the month of the person's
  earliest roster ``completed_at`` (``after_by_date``), or ``job_change = 'new_business'``
  (``after_by_answer``); ``started_after`` is either.

Examples
--------
>>> import tempfile
>>> from analysis.dataset import load_dataset
>>> from analysis.synthetic import write_synthetic_dataset
>>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=600, responses=300, seed=2))
>>> base = build_frame(ds)
>>> base.weights is None and base.links is None
True
>>> weighted = add_weights(base, FrameOptions(trim=None))
>>> round(float(weighted.respondents["weight"].sum()))
600
>>> weighted.links is None
True
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import InputDataError
from .linkage import LINK_COLUMNS, link_rows
from .weights import RakingResult, rake

AGE_BINS = [-np.inf, 25, 35, 45, np.inf]
AGE_LABELS = ["<25", "25-34", "35-44", "45+"]
BUSINESS_STATUSES = ("1", "2", "3")
DEFAULT_MARGINS = ("province", "sex", "age_group", "training_category", "cohort")
CODED_QUESTION = "business_description"
RESPONDENT_STATUSES = ("submitted",)
FRAMES = ("roster", "invited")

QUESTIONS = ("job_status", "side_business", "job_change", "business_description", "business_started",
             "business_training_link", "business_training", "business_revenue", "business_profit")

@dataclass(frozen=True)
class FrameOptions:
    """How a frame is built and weighted.

    ``frame``: ``"roster"`` (every alumnus) or ``"invited"``; ``margins``: raking
    variables; ``trim``: cap on weights as a multiple of the median (None: no trimming);
    ``min_cell``: levels with fewer respondents are pooled (see :mod:`analysis.weights`).
    """

    frame: str = "roster"
    margins: tuple[str, ...] = DEFAULT_MARGINS
    trim: float | None = 5.0
    min_cell: int = 10

    def __post_init__(self) -> None:
        if self.frame not in FRAMES:
            raise ValueError(f"frame must be one of {', '.join(map(repr, FRAMES))}, got {self.frame!r}")
        if self.min_cell < 1:
            raise ValueError("min_cell must be at least 1")
        if self.trim is not None and not self.trim > 0:
            raise ValueError("trim must be a positive multiple of the median weight, or None")
        object.__setattr__(self, "margins", tuple(self.margins))


@dataclass
class SurveyFrame:
    """Everything the tables need, aligned by position.

    ``people``: the frame (one row per alumnus in it), with margin columns.
    ``respondents``: one row per respondent, with derived variables (and ``weight`` once
    weighted).  ``categories``: boolean frame (respondents × training categories);
    ``people_categories``: the same for ``people``.  ``trainings_of``: roster training
    codes of each respondent running a business.  ``weights``: the raking result (None
    before :func:`add_weights`).  ``links``: linkage rows for respondents with a business,
    indexed like ``respondents`` (None before :func:`add_links`).
    """

    dataset: Dataset
    options: FrameOptions
    people: pd.DataFrame
    respondents: pd.DataFrame
    categories: pd.DataFrame
    people_categories: pd.DataFrame
    trainings_of: dict[str, list[str]] = field(repr=False)
    weights: RakingResult | None = None
    links: pd.DataFrame | None = None
    margins: tuple[str, ...] = ()

    def raking(self) -> RakingResult:
        """The raking result; raises when the frame has not been weighted yet."""
        if self.weights is None:
            raise InputDataError("this survey frame has no weights yet: use add_weights(frame) first")
        return self.weights

    def linked(self) -> pd.DataFrame:
        """The linkage rows; raises when the frame has not been linked yet."""
        if self.links is None:
            raise InputDataError("this survey frame has no business links yet: use add_links(frame) first")
        return self.links


def build_frame(dataset: Dataset, *, frame: str = "roster", options: FrameOptions | None = None) -> SurveyFrame:
    """The population, the respondents and their derived variables (no weights, no links)."""
    options = options or FrameOptions(frame=frame)
    if dataset.is_panel:  # a panel (format 2): the frame is the exported wave's cross-section
        dataset = dataset.wave_view(dataset.wave)
    alumni = dataset.alumni
    people = pd.DataFrame({
        "pid": alumni["pid"].astype(str).to_numpy(),
        "province": alumni["province"].to_numpy(),
        "sex": alumni["sex"].to_numpy(),
        "cohort": alumni["cohort"].to_numpy(),
        "invitation_status": alumni["invitation_status"].to_numpy(),
    })
    year = dataset.created_at.year
    people["age_group"] = pd.cut(year - alumni["birth_year"].to_numpy(dtype=float), AGE_BINS, right=False,
                                 labels=AGE_LABELS).astype("object")
    if options.frame == "invited":
        people = people.loc[people["invitation_status"].notna()].reset_index(drop=True)

    enrol = dataset.enrollments.merge(dataset.trainings[["code", "category"]], left_on="training_code",
                                      right_on="code", how="left")
    first_done = pd.to_datetime(enrol["completed_at"], errors="coerce").groupby(enrol["pid"]).min()
    categories = sorted(dataset.trainings["category"].dropna().unique())
    pid_index = pd.Index(people["pid"])
    pos = pid_index.get_indexer(enrol["pid"])
    ok = (pos >= 0) & enrol["category"].notna().to_numpy()
    matrix = np.zeros((len(people), len(categories)), dtype=bool)
    cat_pos = pd.Index(categories).get_indexer(enrol.loc[ok, "category"])
    matrix[pos[ok], cat_pos] = True
    people_categories = pd.DataFrame(matrix, index=people.index, columns=categories)
    for i, category in enumerate(categories):
        # Categorical: an object column of "yes"/"no" strings costs ~50 bytes a cell (300 MB at 500,000 × 12).
        people[f"training_category={category}"] = pd.Categorical.from_codes(matrix[:, i].astype(np.int64),
                                                                             categories=pd.Index(["no", "yes"]))

    responses = dataset.responses
    is_respondent = responses["status"].astype(str).isin(RESPONDENT_STATUSES).to_numpy()
    answers = {q: dataset.answers(q)[is_respondent].reset_index(drop=True) for q in QUESTIONS}
    respondent_pids = responses.loc[is_respondent, "pid"].astype(str).reset_index(drop=True)
    rpos = pid_index.get_indexer(respondent_pids)
    in_frame = rpos >= 0
    rpos = rpos[in_frame]
    respondents = people.iloc[rpos].reset_index(drop=True)
    for question, values in answers.items():
        respondents[question] = values[in_frame].reset_index(drop=True).astype("object")
    people["respondent"] = False
    people.loc[rpos, "respondent"] = True
    resp_categories = people_categories.iloc[rpos].reset_index(drop=True)

    _derive(respondents, dataset, first_done)

    business = respondents["runs_business"].eq(1).to_numpy()
    # Training lists only for business owners: a groupby over every roster person costs seconds.
    owners = enrol.loc[enrol["pid"].isin(respondents.loc[business, "pid"]), ["pid", "training_code"]]
    trainings_of: dict[str, list[str]] = {}
    for pid, code in owners.itertuples(index=False):
        trainings_of.setdefault(pid, []).append(code)
    return SurveyFrame(dataset=dataset, options=options, people=people, respondents=respondents,
                       categories=resp_categories, people_categories=people_categories, trainings_of=trainings_of)


def add_weights(frame: SurveyFrame, options: FrameOptions | None = None) -> SurveyFrame:
    """``frame`` with raked weights (a new frame; ``frame`` itself is unchanged).

    ``options`` (default: ``frame.options``) give the margins, trimming and pooling; its
    ``frame`` field must match the frame's population.
    """
    options = options or frame.options
    if options.frame != frame.options.frame:
        raise ValueError(f"options are for frame {options.frame!r}, this frame is {frame.options.frame!r}")
    categories = list(frame.people_categories.columns)
    rake_on: list[str] = []
    for margin in options.margins:
        if margin == "training_category":
            rake_on += [f"training_category={c}" for c in categories]
        else:
            rake_on.append(margin)
    result = rake(frame.respondents, frame.people, rake_on, trim=options.trim, min_cell=options.min_cell)
    respondents = frame.respondents.copy()
    respondents["weight"] = result.weights
    return replace(frame, options=options, respondents=respondents, weights=result, margins=tuple(rake_on))


def add_links(frame: SurveyFrame, *, sector_map: pd.DataFrame | None = None) -> SurveyFrame:
    """``frame`` with each business linked to its owner's trainings (see :mod:`analysis.linkage`)."""
    r = frame.respondents
    business = r["runs_business"].eq(1).to_numpy()
    owners = r.loc[business, ["pid", "description", "section", "division", "code_status", "own_link",
                              "own_trainings"]].copy()
    links = owners.join(link_rows(owners, frame.trainings_of, frame.dataset.trainings, sector_map))
    return replace(frame, links=links)


def _sector_map_digest(sector_map: pd.DataFrame | None) -> str | None:
    if sector_map is None:
        return None
    return hashlib.sha256(sector_map.to_csv(index=False).encode("utf-8")).hexdigest()


def survey_frame(dataset: Dataset, options: FrameOptions | None = None, *, sector_map: pd.DataFrame | None = None,
                 weights: bool = True, links: bool = True, **option_values: object) -> SurveyFrame:
    """The dataset's frame with the steps asked for, memoised on ``dataset`` step by step.

    ``option_values`` are :class:`FrameOptions` fields (``frame``, ``margins``, ``trim``,
    ``min_cell``), an alternative to passing ``options``.  Each step is memoised under
    what it depends on: the population under ``options.frame``, the weights under the
    options, the links under the options and the sector map's *content* (never an object
    id: ids are reused after garbage collection).
    """
    if dataset.is_panel:  # the exported wave's cross-section, memoised where the panel code finds it too
        dataset = dataset.wave_view(dataset.wave)
    if options is None:
        options = FrameOptions(**option_values)  # type: ignore[arg-type]
    elif option_values:
        options = replace(options, **option_values)  # type: ignore[arg-type]
    memo = dataset.memo

    def step(key: tuple[object, ...], make: Callable[[], SurveyFrame]) -> SurveyFrame:
        found = memo.get(key)
        if not isinstance(found, SurveyFrame):
            found = memo[key] = make()
        return found

    base_options = FrameOptions(frame=options.frame)
    result = step(("frame", options.frame), lambda: build_frame(dataset, options=base_options))
    if weights:
        unweighted = result
        result = step(("weights", options), lambda: add_weights(unweighted, options))
    if links:
        unlinked = result
        result = step(("links", options if weights else options.frame, _sector_map_digest(sector_map)),
                      lambda: add_links(unlinked, sector_map=sector_map))
    return result


def as_frame(data: Dataset | SurveyFrame, *, frame: str = "roster", trim: float | None = 5.0,
             min_cell: int = 10, weights: bool = True, links: bool = False) -> SurveyFrame:
    """The frame a table works on: ``data`` itself when it is a frame, else the dataset's memoised frame.

    A given frame that lacks a step the table needs gets it with the frame's own options
    (``frame``, ``trim`` and ``min_cell`` apply to datasets only).
    """
    if isinstance(data, SurveyFrame):
        result = data
        if weights and result.weights is None:
            result = add_weights(result)
        if links and result.links is None:
            result = add_links(result)
        return result
    if not isinstance(data, Dataset):
        raise TypeError(f"expected a Dataset or a SurveyFrame, got {type(data).__name__}")
    return survey_frame(data, FrameOptions(frame=frame, trim=trim, min_cell=min_cell), weights=weights, links=links)


def survey_weights(dataset: Dataset, *, frame: str = "roster", trim: float | None = 5.0,
                   min_cell: int = 10) -> RakingResult:
    """Raked non-response weights of a research dataset's respondents (no linkage is run).

    Respondents (submitted responses) are raked to the roster's margins: province, sex,
    age group, each training category (took / did not take) and cohort.  ``frame="invited"``
    rakes to the invited alumni instead of the whole roster.  The weights are in the
    order of the submitted rows of ``dataset.responses``.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.dataset import load_dataset
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=1000, responses=500))
    >>> result = survey_weights(ds)
    >>> result.converged, round(float(result.weights.sum()))
    (True, 1000)
    """
    options = FrameOptions(frame=frame, trim=trim, min_cell=min_cell)
    return add_weights(build_frame(dataset, options=options)).raking()


def link_businesses(dataset: Dataset, *, sector_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per respondent running a business: their trainings and how the business relates (no raking).

    Respondents are the submitted responses; "runs a business" is ``job_status`` 1–3 or
    ``side_business = 'yes'`` (see ``docs/ANALYSIS.md``).  The columns are described in
    :data:`analysis.linkage.LINK_COLUMNS` and :func:`analysis.linkage.link_rows`.

    Examples
    --------
    >>> import tempfile
    >>> from analysis.synthetic import write_synthetic_dataset
    >>> from analysis.dataset import load_dataset
    >>> ds = load_dataset(write_synthetic_dataset(tempfile.mkdtemp() + "/ds", alumni=600, responses=300, seed=1))
    >>> links = link_businesses(ds)
    >>> set(links["agreement"]) <= {"both related", "both unrelated", "map only", "own answer only", "unknown"}
    True
    """
    linked = add_links(build_frame(dataset), sector_map=sector_map).linked()
    return linked[LINK_COLUMNS].reset_index(drop=True)


def _derive(respondents: pd.DataFrame, dataset: Dataset, first_done: pd.Series) -> None:
    status = respondents["job_status"].astype("object")
    side = respondents["side_business"].astype("object")
    own_main = status.isin(BUSINESS_STATUSES)
    runs = np.where(own_main | side.eq("yes"), 1.0, np.where(status.notna() | side.notna(), 0.0, np.nan))
    respondents["runs_business"] = runs
    respondents["business_kind"] = np.where(own_main, "main", np.where(side.eq("yes"), "side", ""))
    respondents["description"] = respondents["business_description"].astype("object").fillna("")
    respondents["own_link"] = respondents["business_training_link"].astype("object")
    respondents["own_trainings"] = respondents["business_training"].astype("object").fillna("")

    codes = dataset.codes
    codes = codes.loc[codes["question"] == CODED_QUESTION].drop_duplicates("pid", keep="last")
    coded = respondents[["pid"]].merge(codes[["pid", "section", "division", "kbli5", "status"]], on="pid",
                                       how="left")
    business = runs == 1
    for column, target in (("section", "section"), ("division", "division"), ("kbli5", "kbli5"),
                           ("status", "code_status")):
        values = coded[column].to_numpy(dtype=object)
        values[~(business & pd.notna(values))] = None
        respondents[target] = values
    respondents["division"] = respondents["division"].map(lambda v: v.zfill(2) if isinstance(v, str) else v)

    started = pd.Series(pd.to_datetime(respondents["business_started"], format="%Y-%m", errors="coerce"))
    first = respondents["pid"].map(first_done)
    first_month = pd.Series(pd.to_datetime(first)).dt.to_period("M").dt.to_timestamp()
    after_date = np.where(pd.notna(started.to_numpy()) & pd.notna(first_month.to_numpy()),
                          (started > first_month).to_numpy(dtype=float), np.nan)
    after_answer = np.where(respondents["job_change"].eq("new_business"), 1.0,
                            np.where(respondents["job_change"].notna() & respondents["job_status"].isin(
                                BUSINESS_STATUSES), 0.0, np.nan))
    either = np.where((after_date == 1) | (after_answer == 1), 1.0,
                      np.where(np.isfinite(after_date) | np.isfinite(after_answer), 0.0, np.nan))
    for name, values in (("after_by_date", after_date), ("after_by_answer", after_answer),
                         ("started_after", either)):
        respondents[name] = np.where(business, values, np.nan)
    for money in ("business_revenue", "business_profit"):
        respondents[money] = pd.to_numeric(respondents[money], errors="coerce").where(business)

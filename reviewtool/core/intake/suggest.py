"""Suggesting priority areas from an application's title and abstract, and
saying how sure the suggestion is.

Method (chosen on real published project titles, ``tests/data/real_titles.yaml``;
see docs/intake.md, "建议领域"):

- **Area documents.** Each candidate area (key industries HD-I*, 专栏 tasks HD-C*,
  provincial 专项 QH-E1/QH-E2 and their items) is its title (weight 3), its
  plan paragraph and its parent direction's title (weight ½), plus the titles
  and abstracts of past applications whose primary area a clerk *confirmed*
  (``Example``): every confirmed tag teaches the model the bureau's own usage.
  The parent direction's paragraph adds words to the vocabulary only (so a
  title's longer plan word is kept whole); scored, it blurred its children.
- **Terms.** The words jieba finds in those texts (two characters or more, the
  plan's boilerplate removed), one-character domain words (锂, 镁, 硒 …) and the
  plan words of the related-word table (``suggest_lexicon``): a title saying
  犏牛 is matched as saying 牦牛. Term frequencies are substring counts, so a
  query needs no segmenter: its terms are found by longest match against the
  model's vocabulary, which keeps one suggestion call free of jieba and
  scikit-learn (the built model is plain data and is cached by the service).
- **Score.** BM25 (k1 = 1.2, b = 0.5) of the query terms in each area
  document, title terms counting once and abstract terms 0.3.
- **Confidence.** The top score is also divided by what the query could have
  scored had every one of its words been matched: a title whose own words
  (油气田, 铁路 …) are unknown to the plan explains little of itself, however
  much its generic words match. ``low`` when the best area explains too little
  or scores too little; ``high`` when it explains much and leads the second
  clearly; ``medium`` otherwise.

Threading: an :class:`AreaSuggester` is read-only after construction and may
be shared between threads.
"""

from __future__ import annotations

import logging
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from reviewtool.core.intake.suggest_lexicon import DOMAIN_CHARACTERS, RELATED, related_index

SUGGEST_KINDS = ("industry", "column_task", "special_task", "special")
MODEL_VERSION = 4

HIGH, MEDIUM, LOW = "high", "medium", "low"
CONFIDENCES = (HIGH, MEDIUM, LOW)

#: Words of the plan's own boilerplate that say nothing about the field.
STOP_WORDS = frozenset(
    "的 与 和 及 等 在 对 为 开展 研究 技术 建设 关键 示范 推广 应用 集成 提升 科技 创新 推动 发展 助力 支撑 "
    "加强 实现 体系 重点 高质量 提高 开发 研发 项目 工作 进行 相关 方面 我市 海东 海东市 青海 青海省 构建 积极 "
    "大力 推进 促进 围绕 依托 全面 加快 形成 完善 打造 利用 技术研究 关键技术 研究与示范 技术集成 集成示范 "
    "示范推广 推广应用 研究及应用 研究与应用 及应用 与应用 与示范 产业化 高效 综合 基于 新型 一体化 模式 "
    "机制 基础 体系建设 能力 水平 服务 管理 规划 试验 实施 工程 系统 方法 问题 过程 因素 影响 作用 效果 "
    "评价 分析 探索 优化 改造 升级 转型 技术创新 创新能力 示范区 示范基地 基地 中心 平台建设 条件 地区 区域 "
    "全省 全市 全国 国家 省级 市级 县域 重大 专项 计划 方案 目标 任务 产品 新产品 新技术 新工艺 标准 规范 "
    "高原 青藏高原 特色 优势 现代 绿色 生态 产业 产业链 发展 传统 一批 相结合 以及 通过 实现 提供 保障 "
    "有效 进一步 不断 持续 深入 大幅 显著 各类 主要 部分 重要 及其 其中 之一 方式 途径 领域 质量 安全 品质 "
    "提质 增效 提质增效 发生 研究所 研究院 有限公司 公司 大学 学院 合作社 后续 一期 二期 三期".split()
)
_FUNCTION_CHARS = frozenset("的与和及等在对为之其于以及或并、，。；：（）()“”\"'《》〈〉—-－/·•.,;: \t\n")
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
_MAX_TERM = 10

K1 = 1.2
B = 0.5
TITLE_WEIGHT = 3.0
PARENT_WEIGHT = 0.5
EXAMPLE_WEIGHT = 1.0
ABSTRACT_QUERY_WEIGHT = 0.3
RELATED_QUERY_WEIGHT = 0.9
PAIR_QUERY_WEIGHT = 0.4
UNKNOWN_CHAR_MASS = 1.2  # what one unexplained character of the query weighs, in idf units
UMBRELLA_FACTOR = 0.85  # a 专项 as a whole, against its own more specific items

#: Place names say where, not what: not counted as unexplained words.
_PLACE = re.compile(
    r"(?:青海|甘肃|宁夏|西藏|新疆|四川|云南|陕西|内蒙古|海东|西宁|海西|海北|海南州|黄南|果洛|玉树|柴达木|河西|陇中|陇南|"
    r"[\u4e00-\u9fff]{2,4}?(?:省|自治区|自治州|州|市|县|旗|乡|镇|村)(?=[\u4e00-\u9fff]))"
)

#: Confidence cut-offs on the best area's coverage (0–1) and BM25 score.
LOW_COVERAGE = 0.15
LOW_SCORE = 3.0
HIGH_COVERAGE = 0.30
HIGH_SCORE = 7.0
HIGH_LEAD = 1.3  # best score ≥ this × the second


@dataclass(frozen=True)
class AreaText:
    code: str
    title: str
    description: str = ""
    parent_title: str = ""
    kind: str = ""  # "special" (a whole 专项) ranks just below an equally good item of it
    parent_description: str = ""  # the parent direction's paragraph: the plan's wider vocabulary for the area


@dataclass(frozen=True)
class Example:
    """A past application whose primary area a clerk confirmed."""

    code: str
    title: str
    abstract: str = ""


@dataclass(frozen=True)
class Suggestion:
    code: str
    title: str
    score: Decimal  # share of the query the area explains (BM25 over the query's best), 0–1, four decimals
    terms: tuple[str, ...]  # the reasons: matched words, strongest first (犏牛→牦牛 for a related word)

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.terms

    def as_json(self) -> dict:
        return {"code": self.code, "title": self.title, "score": float(self.score), "reasons": list(self.terms)}


@dataclass(frozen=True)
class Answer:
    """The suggestions for one text, best first, with how sure they are."""

    confidence: str  # high, medium or low
    suggestions: tuple[Suggestion, ...]

    @property
    def best(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    def as_json(self) -> dict:
        return {"confidence": self.confidence, "suggestions": [s.as_json() for s in self.suggestions]}


#: Where jieba keeps its parsed dictionary (``use_jieba_cache``); ``None``: the system's temporary folder.
_jieba_cache: list[str | None] = [None]


def use_jieba_cache(folder: str) -> None:
    """Keep jieba's dictionary cache in ``folder`` (the service passes the user cache folder),
    not in a temporary folder another user or a clean-up may own. Before the first build."""
    _jieba_cache[0] = folder


@cache
def _jieba():
    """jieba, loaded once per process (its dictionary from its cache file after the first time)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    folder = _jieba_cache[0]
    if folder:
        try:
            os.makedirs(folder, exist_ok=True)
            jieba.dt.tmp_dir = folder
        except OSError:
            pass  # jieba falls back to the temporary folder
    jieba.initialize()
    return jieba


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def jieba_words(text: str) -> list[str]:
    """Words of two or more characters, without punctuation or boilerplate (build time only)."""
    words = []
    for word in _jieba().lcut(clean(text)):
        word = word.strip()
        if len(word) < 2 or word in STOP_WORDS or _PUNCTUATION.fullmatch(word) or word.isdigit():
            continue
        words.append(word)
    return words


def application_text(title: str, abstract: str = "") -> str:
    return f"{title} {abstract or ''}"


@dataclass
class AreaModel:
    """The built model: plain data (picklable), so a service can cache it on disk."""

    version: int
    codes: list[str]
    titles: list[str]
    postings: dict[str, dict[int, float]]  # term → {area index: weighted count}
    idf: dict[str, float]
    lengths: list[float]
    average_length: float
    factors: list[float] = field(default_factory=list)  # per area: 1, or UMBRELLA_FACTOR for a whole 专项
    bigrams: dict[str, dict[int, float]] = field(
        default_factory=dict
    )  # character pairs, for words not in the vocabulary
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)  # related word → plan words in the vocabulary
    stop: frozenset[str] = STOP_WORDS

    @property
    def lexicon(self) -> set[str]:
        return set(self.postings) | set(self.related) | set(self.stop)


def build_model(areas: Sequence[AreaText], examples: Sequence[Example] = ()) -> AreaModel:
    """Build the model from the plan's areas and the confirmed examples (needs jieba)."""
    if not areas:
        raise ValueError("no areas to suggest from")
    codes = [a.code for a in areas]
    position = {code: i for i, code in enumerate(codes)}
    parts: list[list[tuple[str, float]]] = [
        [
            (clean(a.title), TITLE_WEIGHT),
            (clean(a.description), 1.0),
            (clean(a.parent_title), PARENT_WEIGHT),
        ]
        for a in areas
    ]
    for example in examples:
        if example.code in position:
            text = clean(application_text(example.title, example.abstract))
            parts[position[example.code]].append((text, EXAMPLE_WEIGHT))
    vocabulary: set[str] = set()
    for area_parts in parts:
        for text, _weight in area_parts:
            vocabulary.update(jieba_words(text))
    # The directions' paragraphs only add words (a query is segmented by longest match, so a
    # longer plan word keeps a title's word whole); scored, they would blur their children.
    for text in {clean(a.parent_description) for a in areas}:
        vocabulary.update(jieba_words(text))
    whole = " ".join(text for area_parts in parts for text, _w in area_parts)
    vocabulary.update(word for word in RELATED if word in whole)
    vocabulary.update(char for char in DOMAIN_CHARACTERS if char in whole)
    vocabulary -= STOP_WORDS
    postings: dict[str, dict[int, float]] = {}
    lengths = [0.0] * len(areas)
    for term in vocabulary:
        row: dict[int, float] = {}
        for index, area_parts in enumerate(parts):
            count = sum(text.count(term) * weight for text, weight in area_parts)
            if count:
                row[index] = count
        if row:
            postings[term] = row
            for index, count in row.items():
                lengths[index] += count
    bigrams: dict[str, dict[int, float]] = {}
    for index, area_parts in enumerate(parts):
        for text, weight in area_parts:
            for pair in _pairs(text):
                row = bigrams.setdefault(pair, {})
                row[index] = row.get(index, 0.0) + weight
    total = len(areas)
    idf = {
        term: math.log(1 + (total - len(row) + 0.5) / (len(row) + 0.5))
        for term, row in (*postings.items(), *(("#" + k, v) for k, v in bigrams.items()))
    }
    postings.update({"#" + pair: row for pair, row in bigrams.items()})
    related = {
        word: tuple(p for p in plan_words if p in postings)
        for word, plan_words in related_index().items()
        if any(p in postings for p in plan_words)
    }
    return AreaModel(
        version=MODEL_VERSION,
        codes=codes,
        titles=[a.title for a in areas],
        postings=postings,
        idf=idf,
        lengths=lengths,
        average_length=sum(lengths) / total if total else 1.0,
        related=related,
        factors=[UMBRELLA_FACTOR if a.kind == "special" else 1.0 for a in areas],
    )


def _pairs(text: str) -> list[str]:
    """Character pairs of a text's runs of CJK characters (no pair across punctuation)."""
    pairs = []
    for run in re.findall(r"[\u4e00-\u9fff]{2,}", text):
        pairs.extend(run[i : i + 2] for i in range(len(run) - 1))
    return pairs


@dataclass(frozen=True)
class _Match:
    term: str  # the plan word scored
    shown: str  # what the reason says (犏牛→牦牛)
    weight: float


class AreaSuggester:
    """Ranks areas for a title and abstract; see the module docstring."""

    def __init__(self, areas: Sequence[AreaText] | None = None, examples: Sequence[Example] = (), *, model=None):
        self.model: AreaModel = model if model is not None else build_model(areas or (), examples)
        self._lexicon = self.model.lexicon
        self._longest = min(_MAX_TERM, max((len(t) for t in self._lexicon), default=1))

    # -- query side (no jieba) ------------------------------------------------------------

    def _segment(self, text: str) -> tuple[list[str], int]:
        """Longest-match the text against the vocabulary: (matched words, unexplained characters).
        Runs of unexplained characters are tried as character pairs of the plan text (``#牧草``)."""
        text = _PLACE.sub(" ", clean(text))
        words: list[str] = []
        unexplained = 0
        run = ""
        i = 0
        while i < len(text):
            char = text[i]
            if char in _FUNCTION_CHARS or not char.strip() or char.isdigit() or (char.isascii() and not char.isalpha()):
                i += 1
                continue
            for size in range(min(self._longest, len(text) - i), 0, -1):
                piece = text[i : i + size]
                if piece in self._lexicon and (size > 1 or piece in DOMAIN_CHARACTERS):
                    words.append(piece)
                    unexplained += self._pairs_of(run, words)
                    run = ""
                    i += size
                    break
            else:
                if "\u4e00" <= char <= "\u9fff":
                    run += char
                    i += 1
                    continue
                if char.isascii():
                    end = i
                    while end < len(text) and text[end].isascii() and text[end].isalnum():
                        end += 1
                    unexplained += 1  # a Latin word counts once
                    i = max(end, i + 1)
                else:
                    unexplained += 1
                    i += 1
        unexplained += self._pairs_of(run, words)
        return words, unexplained

    def _pairs_of(self, run: str, words: list[str]) -> int:
        """Add the plan's character pairs found in an unexplained run; returns the characters still unexplained."""
        if not run:
            return 0
        covered = [False] * len(run)
        for i in range(len(run) - 1):
            pair = "#" + run[i : i + 2]
            if pair in self.model.postings:
                words.append(pair)
                covered[i] = covered[i + 1] = True
        return covered.count(False)

    def _matches(self, title: str, abstract: str) -> tuple[list[_Match], float]:
        matches: list[_Match] = []
        unexplained_mass = 0.0
        for text, weight in ((title, 1.0), (abstract, ABSTRACT_QUERY_WEIGHT)):
            if not text:
                continue
            words, unexplained = self._segment(text)
            unexplained_mass += unexplained * UNKNOWN_CHAR_MASS * weight
            for word in words:
                if word in self.model.stop:
                    continue
                if word.startswith("#"):
                    matches.append(_Match(word, word[1:], weight * PAIR_QUERY_WEIGHT))
                elif word in self.model.postings:
                    matches.append(_Match(word, word, weight))
                for plan_word in self.model.related.get(word, ()):
                    if plan_word != word:
                        matches.append(_Match(plan_word, f"{word}→{plan_word}", weight * RELATED_QUERY_WEIGHT))
        return matches, unexplained_mass

    def _scores(self, matches: list[_Match]) -> tuple[list[float], dict[int, dict[str, float]], float]:
        model = self.model
        scores = [0.0] * len(model.codes)
        contributions: dict[int, dict[str, float]] = {}
        best_possible = 0.0
        for match in matches:
            idf = model.idf[match.term]
            best_possible += match.weight * idf * (K1 + 1)
            for index, tf in model.postings[match.term].items():
                norm = K1 * (1 - B + B * model.lengths[index] / model.average_length)
                value = match.weight * idf * tf * (K1 + 1) / (tf + norm)
                scores[index] += value
                shown = contributions.setdefault(index, {})
                shown[match.shown] = shown.get(match.shown, 0.0) + value
        if model.factors:
            scores = [score * factor for score, factor in zip(scores, model.factors, strict=True)]
        return scores, contributions, best_possible

    def answer(self, title: str, abstract: str = "", *, limit: int = 5) -> Answer:
        matches, unexplained = self._matches(title or "", abstract or "")
        scores, contributions, best_possible = self._scores(matches)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], self.model.codes[i]))
        order = [i for i in order if scores[i] > 0][:limit]
        if not order:
            return Answer(LOW, ())
        explained_max = best_possible + unexplained
        suggestions = []
        for index in order:
            reasons = sorted(contributions[index].items(), key=lambda kv: -kv[1])
            coverage = min(1.0, scores[index] / explained_max) if explained_max else 0.0
            suggestions.append(
                Suggestion(
                    self.model.codes[index],
                    self.model.titles[index],
                    Decimal(str(coverage)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                    tuple(word for word, _v in reasons[:6]),
                )
            )
        top = scores[order[0]]
        second = scores[order[1]] if len(order) > 1 else 0.0
        coverage = float(suggestions[0].score)
        if coverage < LOW_COVERAGE or top < LOW_SCORE:
            confidence = LOW
        elif coverage >= HIGH_COVERAGE and top >= HIGH_SCORE and top >= HIGH_LEAD * second:
            confidence = HIGH
        else:
            confidence = MEDIUM
        return Answer(confidence, tuple(suggestions))

    def answer_many(self, items: Iterable[tuple[str, str]], *, limit: int = 5) -> list[Answer]:
        return [self.answer(title, abstract, limit=limit) for title, abstract in items]

    # -- the older list interface (imports, stored suggestions) ---------------------------------

    def suggest(self, title: str, abstract: str = "", *, limit: int = 5, minimum: float = 0.0) -> list[Suggestion]:
        return [s for s in self.answer(title, abstract, limit=limit).suggestions if float(s.score) >= minimum]

    def suggest_many(
        self, items: Sequence[tuple[str, str]], *, limit: int = 5, minimum: float = 0.0
    ) -> list[list[Suggestion]]:
        return [self.suggest(title, abstract, limit=limit, minimum=minimum) for title, abstract in items]


def evaluate(suggester: AreaSuggester, labelled: Iterable[tuple[str, str, Sequence[str]]]) -> tuple[float, float, int]:
    """Top-1 and top-3 accuracy over (title, abstract, accepted codes); also returns the count."""
    top1 = top3 = count = 0
    for title, abstract, accepted in labelled:
        codes = [s.code for s in suggester.suggest(title, abstract, limit=3)]
        count += 1
        top1 += bool(codes) and codes[0] in accepted
        top3 += any(code in accepted for code in codes)
    return (top1 / count if count else 0.0), (top3 / count if count else 0.0), count


@dataclass(frozen=True)
class RealTitleReport:
    """How the suggester does on real titles: accuracy on those that fit an area,
    and how often it says ``low`` for those that fit and for those that do not."""

    fitting: int
    top1: float
    top3: float
    not_fitting: int
    low_when_fitting: float
    low_when_not_fitting: float


def evaluate_real(suggester: AreaSuggester, items: Iterable[tuple[str, Sequence[str]]]) -> RealTitleReport:
    """``items`` are (title, accepted codes); no codes means the title fits no area."""
    fit = top1 = top3 = low_fit = nofit = low_nofit = 0
    for title, accepted in items:
        answer = suggester.answer(title, limit=3)
        codes = [s.code for s in answer.suggestions]
        if accepted:
            fit += 1
            top1 += bool(codes) and codes[0] in accepted
            top3 += any(code in accepted for code in codes)
            low_fit += answer.confidence == LOW
        else:
            nofit += 1
            low_nofit += answer.confidence == LOW
    return RealTitleReport(
        fit,
        top1 / fit if fit else 0.0,
        top3 / fit if fit else 0.0,
        nofit,
        low_fit / fit if fit else 0.0,
        low_nofit / nofit if nofit else 0.0,
    )

"""Suggesting priority areas from an application's title and abstract.

Method (chosen on the labelled set in ``tests/data/labelled_applications.yaml``,
see the README, "Application intake"): TF-IDF (scikit-learn, sublinear tf) over jieba words
plus character bigrams, cosine similarity between the application text (title
counted twice, then the abstract) and each area's plan text (title counted
twice, its description, and its parent direction's title). Candidates are the
key industries (HD-I*), 专栏 tasks (HD-C*) and provincial 专项 items (QH-E*-*).

The matched terms shown to the clerk are the jieba words shared by the two
texts, strongest first.

Threading: an :class:`AreaSuggester` is read-only after construction and may be
shared between threads.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

SUGGEST_KINDS = ("industry", "column_task", "special_task")

#: Words of the plan's own boilerplate that say nothing about the field.
STOP_WORDS = frozenset(
    "的 与 和 及 等 在 对 为 开展 研究 技术 建设 关键 示范 推广 应用 集成 提升 科技 创新 推动 发展 助力 支撑 "
    "加强 实现 体系 重点 高质量 提高 开发 研发 项目 工作 进行 相关 方面 我市 海东 海东市 青海 构建 积极 "
    "大力 推进 促进 围绕 依托 全面 加快 形成 完善 打造 利用 技术研究 关键技术".split()
)
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class AreaText:
    code: str
    title: str
    description: str = ""
    parent_title: str = ""


@dataclass(frozen=True)
class Suggestion:
    code: str
    title: str
    score: Decimal  # cosine similarity, 0–1, four decimals
    terms: tuple[str, ...]

    def as_json(self) -> dict:
        return {"code": self.code, "title": self.title, "score": float(self.score), "terms": list(self.terms)}


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(words_uncached(text))


def words(text: str) -> list[str]:
    """jieba words without punctuation, single characters or boilerplate (cached: the
    vectorizer and the matched-terms list segment the same text)."""
    return list(_words(text))


def words_uncached(text: str) -> list[str]:
    result = []
    for word in _jieba().lcut(text):
        word = word.strip()
        if len(word) < 2 or word in STOP_WORDS or _PUNCTUATION.fullmatch(word):
            continue
        result.append(word)
    return result


def bigrams(text: str) -> list[str]:
    compact = _PUNCTUATION.sub("", text)
    return ["#" + compact[i : i + 2] for i in range(len(compact) - 1)]


def tokens(text: str) -> list[str]:
    return words(text) + bigrams(text)


def application_text(title: str, abstract: str = "") -> str:
    return f"{title} {title} {abstract or ''}"


class AreaSuggester:
    """Ranks areas for a title and abstract."""

    def __init__(self, areas: Sequence[AreaText]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not areas:
            raise ValueError("no areas to suggest from")
        self.areas = list(areas)
        documents = [f"{a.title} {a.title} {a.description} {a.parent_title}" for a in self.areas]
        self._vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform(documents)
        self._vocabulary = self._vectorizer.vocabulary_
        self._area_words = [set(words(d)) for d in documents]
        matrix = self._matrix.tocsr()
        self._area_weights = [
            dict(
                zip(
                    matrix.indices[matrix.indptr[i] : matrix.indptr[i + 1]],
                    matrix.data[matrix.indptr[i] : matrix.indptr[i + 1]],
                    strict=True,
                )
            )
            for i in range(matrix.shape[0])
        ]

    def _strength(self, word: str, query: dict, area: dict) -> float:
        column = self._vocabulary.get(word)
        return query.get(column, 0.0) * area.get(column, 0.0) if column is not None else 0.0

    def suggest(self, title: str, abstract: str = "", *, limit: int = 5, minimum: float = 0.01) -> list[Suggestion]:
        return self.suggest_many([(title, abstract)], limit=limit, minimum=minimum)[0]

    def suggest_many(
        self, items: Sequence[tuple[str, str]], *, limit: int = 5, minimum: float = 0.01
    ) -> list[list[Suggestion]]:
        """Suggestions for many (title, abstract) pairs at once (one sparse product; for imports)."""
        texts = [application_text(title, abstract) for title, abstract in items]
        if not texts:
            return []
        queries = self._vectorizer.transform(texts).tocsr()
        scores = (queries @ self._matrix.T).toarray()
        results: list[list[Suggestion]] = []
        for position, text in enumerate(texts):
            row = scores[position]
            order = row.argsort()[::-1][:limit]
            if not text.strip() or row[order[0]] < minimum:
                results.append([])
                continue
            start, stop = queries.indptr[position], queries.indptr[position + 1]
            weights = dict(zip(queries.indices[start:stop], queries.data[start:stop], strict=True))
            query_words = list(dict.fromkeys(words(text)))
            found: list[Suggestion] = []
            for index in order:
                score = float(row[index])
                if score < minimum:
                    break
                area = self.areas[index]
                area_weights = self._area_weights[index]
                shared = [w for w in query_words if w in self._area_words[index]]
                shared.sort(key=lambda word, aw=area_weights: self._strength(word, weights, aw), reverse=True)
                found.append(
                    Suggestion(
                        area.code,
                        area.title,
                        Decimal(str(score)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
                        tuple(shared[:6]),
                    )
                )
            results.append(found)
        return results


def evaluate(suggester: AreaSuggester, labelled: Iterable[tuple[str, str, Sequence[str]]]) -> tuple[float, float, int]:
    """Top-1 and top-3 accuracy over (title, abstract, accepted codes); also returns the count."""
    top1 = top3 = count = 0
    for title, abstract, accepted in labelled:
        codes = [s.code for s in suggester.suggest(title, abstract, limit=3, minimum=0.0)]
        count += 1
        top1 += bool(codes) and codes[0] in accepted
        top3 += any(code in accepted for code in codes)
    return (top1 / count if count else 0.0), (top3 / count if count else 0.0), count

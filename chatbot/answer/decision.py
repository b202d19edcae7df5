"""The answer / partly / decline decision: a small logistic model over retrieval features, fitted as data."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

# What the model reads for one question; each is 0..1 or a similarity.
FEATURES = (
    "best_similarity",  # cosine of the question and the closest sentence of the top passages
    "lexical_support",  # share of the question's idf weight found in the top passages
    "top_score",  # fused retrieval score of the best passage
    "key_coverage",  # share of the key concepts' weight the top passages mention (chatbot.answer.gaps)
)
OUTCOMES = ("answered", "partly", "declined")
# Where the fitted numbers ship: beside this module, so that an installed package has them.
MODEL_FILE = "decision_model.json"


def features(best_similarity: float, lexical_support: float, top_score: float, key_coverage: float) -> dict[str, float]:
    """The model's inputs for one question, by name."""
    return {"best_similarity": float(best_similarity), "lexical_support": float(lexical_support),
            "top_score": float(top_score), "key_coverage": float(key_coverage)}


@dataclass(frozen=True)
class DecisionModel:
    """Multinomial logistic regression on standardised features: p(outcome) = softmax(W (x - mean) / scale + b).

    The decision adds `offsets` to the logits before taking the largest: the probabilities estimate what a
    question is, while the offsets, fitted separately, weigh what each mistake costs (a wrong decline loses an
    answer the sources hold; a cautious "partly" loses little).
    """

    outcomes: tuple[str, ...]
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # one row per outcome
    bias: np.ndarray
    offsets: np.ndarray | None = None  # one per outcome; none means the most probable outcome is chosen

    def logits(self, values: Mapping[str, float]) -> np.ndarray:
        """One score per outcome (a missing feature counts as its mean)."""
        x = np.array([float(values.get(name, mean)) for name, mean in zip(self.features, self.mean)])
        return self.weights @ ((x - self.mean) / self.scale) + self.bias

    def probabilities(self, values: Mapping[str, float]) -> dict[str, float]:
        """p(outcome) for one question's features."""
        logits = self.logits(values)
        exp = np.exp(logits - logits.max())
        return dict(zip(self.outcomes, (exp / exp.sum()).round(6).tolist()))

    def decide(self, values: Mapping[str, float]) -> str:
        """The outcome whose logit plus offset is largest: the most probable one when there are no offsets."""
        logits = self.logits(values) + (0.0 if self.offsets is None else self.offsets)
        return self.outcomes[int(np.argmax(logits))]

    def with_offsets(self, offsets: Mapping[str, float]) -> "DecisionModel":
        return replace(self, offsets=np.array([float(offsets.get(outcome, 0.0)) for outcome in self.outcomes]))

    def to_dict(self) -> dict:
        data = {"outcomes": list(self.outcomes), "features": list(self.features), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "weights": self.weights.tolist(), "bias": self.bias.tolist()}
        if self.offsets is not None:
            data["offsets"] = self.offsets.tolist()
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> "DecisionModel":
        offsets = data.get("offsets")
        model = cls(tuple(data["outcomes"]), tuple(data["features"]), np.asarray(data["mean"], dtype=float),
                    np.asarray(data["scale"], dtype=float), np.asarray(data["weights"], dtype=float),
                    np.asarray(data["bias"], dtype=float), None if offsets is None else np.asarray(offsets, dtype=float))
        shapes_ok = model.weights.shape == (len(model.outcomes), len(model.features)) \
            and (model.offsets is None or model.offsets.shape == (len(model.outcomes),))
        if not shapes_ok:
            raise ValueError(f"The decision model's weights have shape {model.weights.shape}, expected "
                             f"{(len(model.outcomes), len(model.features))}, with one offset per outcome; "
                             "fit it again with evals/fit_decision.py.")
        return model


def load(path: Path) -> DecisionModel:
    """The fitted model written by `python -m evals.fit_decision` (its "model" entry)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise FileNotFoundError(f"No fitted decision model at {path}: run `python -m evals.fit_decision` "
                                "on the dev split first.") from err
    return DecisionModel.from_dict(data["model"])


@functools.cache
def shipped() -> DecisionModel:
    """The model fitted on the dev split that ships with the package (chatbot/answer/decision_model.json)."""
    return load(Path(str(resources.files("chatbot.answer").joinpath(MODEL_FILE))))

"""Duration models: how long an invocation, an Init or a SnapStart restore takes.

A function's *duration model* is what its handler costs beyond the virtual time the handler
itself spends (``time.sleep``, nested synchronous invokes). It is one of:

- a number of seconds (a constant; the fast path: no draw at all),
- a :class:`Distribution` (:class:`Exponential`, :class:`LogNormal`, :class:`Uniform`,
  :class:`Normal`, :class:`Empirical`), drawn from the function's random stream,
- any callable ``(rng: random.Random) -> seconds``.

Init and restore durations follow :class:`InitModel` / :class:`RestoreModel`. AWS documents no
numbers for them; the defaults are modelling assumptions (Python cold starts of a small package
are typically reported at 100-250 ms, growing at low memory because CPU is proportional to
memory: https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). Configure them
on :class:`~.config.LambdaConfig` to match measurements.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable, Sequence, Union

import attrs

from ..kernel.errors import SimError


class Distribution:
    """Base of the duration distributions (seconds). ``sample(rng)`` draws one value."""

    def sample(self, rng: random.Random) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, rng: random.Random) -> float:
        return self.sample(rng)


@attrs.frozen
class Exponential(Distribution):
    mean_s: float

    def sample(self, rng: random.Random) -> float:
        return rng.expovariate(1.0 / self.mean_s)

    def mean(self) -> float:
        return self.mean_s


@attrs.frozen
class LogNormal(Distribution):
    """Log-normal with the given median and shape ``sigma`` (of the underlying normal)."""

    median_s: float
    sigma: float

    def sample(self, rng: random.Random) -> float:
        # rng.lognormvariate(mu, sigma) is exactly exp(rng.normalvariate(mu, sigma)): one call less
        return math.exp(rng.normalvariate(math.log(self.median_s), self.sigma))

    def mean(self) -> float:
        return self.median_s * math.exp(self.sigma**2 / 2)


@attrs.frozen
class Uniform(Distribution):
    low_s: float
    high_s: float

    def sample(self, rng: random.Random) -> float:
        return rng.uniform(self.low_s, self.high_s)

    def mean(self) -> float:
        return (self.low_s + self.high_s) / 2


@attrs.frozen
class Normal(Distribution):
    """Normal, truncated below at ``minimum_s`` (default 0)."""

    mean_s: float
    sd_s: float
    minimum_s: float = 0.0

    def sample(self, rng: random.Random) -> float:
        return max(self.minimum_s, rng.gauss(self.mean_s, self.sd_s))

    def mean(self) -> float:
        return self.mean_s


@attrs.frozen
class Empirical(Distribution):
    """Draw uniformly from observed values (a replayed sample of durations)."""

    values: tuple[float, ...] = attrs.field(converter=tuple)

    def sample(self, rng: random.Random) -> float:
        return self.values[int(rng.random() * len(self.values))]

    def mean(self) -> float:
        return sum(self.values) / len(self.values)


DurationModel = Union[int, float, Distribution, Callable[[random.Random], float]]


def compile_duration(model: DurationModel | None) -> tuple[int, Callable[[random.Random], float] | None]:
    """``(constant_us, sampler)``: a constant in microseconds, or a sampler (seconds)."""
    if model is None:
        return 0, None
    if isinstance(model, bool):
        raise SimError(f"a duration model is seconds, a Distribution or a callable, got {model!r}")
    if isinstance(model, (int, float)):
        if model < 0 or model != model:
            raise SimError(f"a duration must be >= 0 seconds, got {model!r}")
        return round(model * 1_000_000), None
    if type(model) is LogNormal:
        return 0, _lognormal_sampler(model)
    if isinstance(model, Distribution) and type(model).__call__ is Distribution.__call__:
        return 0, model.sample  # what __call__ calls, without the extra frame
    if callable(model):
        return 0, model
    raise SimError(f"a duration model is seconds, a Distribution or a callable, got {model!r}")


# random.NV_MAGICCONST (not in typeshed's stub), the constant of Random.normalvariate
_NV_MAGICCONST: float = getattr(random, "NV_MAGICCONST")


def _lognormal_sampler(model: LogNormal) -> Callable[[random.Random], float]:
    """``model.sample`` in one frame: ``random.Random.normalvariate`` (CPython's
    Kinderman-Monahan loop, the same draws and the same float operations in the same order)
    inlined, and ``log(median)`` computed once. Streams of another class (a subclass may
    override ``normalvariate``) go through ``model.sample``. test_durations_fast.py pins the two
    equal, draw for draw."""
    mu = math.log(model.median_s)
    sigma = model.sigma
    slow = model.sample

    def sample(rng: random.Random, _log: Callable[[float], float] = math.log,
               _exp: Callable[[float], float] = math.exp, _magic: float = _NV_MAGICCONST,
               _random_class: type = random.Random) -> float:
        if type(rng) is not _random_class:
            return slow(rng)
        draw = rng.random
        while True:
            u1 = draw()
            u2 = 1.0 - draw()
            z = _magic * (u1 - 0.5) / u2
            zz = z * z / 4.0
            if zz <= -_log(u2):
                break
        return _exp(mu + z * sigma)

    return sample


def sample_us(const_us: int, sampler: Callable[[random.Random], float] | None, rng: random.Random) -> int:
    if sampler is None:
        return const_us
    value = sampler(rng)
    if value < 0:
        value = 0.0
    return round(value * 1_000_000)


def _runtime_family(runtime: str) -> str:
    for family in ("python", "nodejs", "java", "dotnet", "ruby", "provided", "go"):
        if runtime.startswith(family):
            return family
    return "other"


@attrs.define
class InitModel:
    """Modelled Init duration (on top of the virtual time the module top level spends).

    ``base_ms[family] * (1 + memory_factor * max(0, reference_mb / memory - 1))``: the base at
    ``reference_mb`` (1,769 MB = one full vCPU) and more at low memory. An assumption, not an
    AWS number; set ``fixed_s`` to force one value (for tests and calibrated studies).
    """

    base_ms: dict[str, float] = attrs.field(
        factory=lambda: {
            "python": 110.0, "nodejs": 130.0, "ruby": 150.0, "go": 60.0, "provided": 60.0,
            "java": 400.0, "dotnet": 250.0, "other": 150.0,
        }
    )
    reference_mb: int = 1769
    memory_factor: float = 0.05
    fixed_s: float | None = None

    def duration_us(self, runtime: str, memory_mb: int, rng: random.Random | None = None) -> int:
        if self.fixed_s is not None:
            return round(self.fixed_s * 1_000_000)
        base = self.base_ms.get(_runtime_family(runtime), self.base_ms.get("other", 150.0))
        slow = max(0.0, self.reference_mb / memory_mb - 1.0)
        return round(base * (1.0 + self.memory_factor * slow) * 1000)


@attrs.define
class RestoreModel:
    """Modelled SnapStart restore duration (plus after-restore hooks' virtual time).

    Default 250 ms + 0.02 ms per MB of memory: an assumption in the range users report for
    Python SnapStart restores; set ``fixed_s`` to force one value.
    """

    base_ms: float = 250.0
    per_mb_ms: float = 0.02
    fixed_s: float | None = None

    def duration_us(self, runtime: str, memory_mb: int, rng: random.Random | None = None) -> int:
        if self.fixed_s is not None:
            return round(self.fixed_s * 1_000_000)
        return round((self.base_ms + self.per_mb_ms * memory_mb) * 1000)


def describe(model: Any) -> str:
    """A short text for a duration model (docs and reprs)."""
    if isinstance(model, (int, float)):
        return f"{model} s"
    return repr(model)


__all__: Sequence[str] = (
    "Distribution", "Exponential", "LogNormal", "Uniform", "Normal", "Empirical",
    "InitModel", "RestoreModel", "DurationModel",
)

"""What a convolution costs in multiplications, and how much a 1×1 reduction saves."""

from __future__ import annotations

from dataclasses import dataclass


def _sup(n: int) -> str:
    return "²" if n == 2 else f"^{n}"


@dataclass(frozen=True)
class ConvCost:
    """k×k convolution over an h×w map from c_in to c_out channels (stride 1, 'same')."""

    kernel: int
    height: int
    width: int
    c_in: int
    c_out: int

    @property
    def multiplications(self) -> int:
        return self.kernel**2 * self.height * self.width * self.c_in * self.c_out

    def formula(self) -> str:
        """``5²·28²·192·32`` (the map written as a square when it is one)."""
        area = f"{self.height}²" if self.height == self.width else f"{self.height}·{self.width}"
        return f"{self.kernel}²·{area}·{self.c_in}·{self.c_out}"


@dataclass(frozen=True)
class OneByOneSaving:
    """A k×k convolution straight, against a 1×1 reduction first (the lecture's slide)."""

    naive: ConvCost
    reduce: ConvCost
    expensive: ConvCost

    @property
    def reduced_total(self) -> int:
        return self.reduce.multiplications + self.expensive.multiplications

    @property
    def ratio(self) -> float:
        return self.naive.multiplications / self.reduced_total

    def lines(self) -> tuple[str, str, str]:
        return (
            f"Without 1×1 convolution: {self.naive.formula()} = {self.naive.multiplications:,}",
            f"With 1×1 convolution: {self.reduce.formula()} + {self.expensive.formula()} "
            f"= {self.reduced_total:,}",
            f"{self.ratio:.1f}× fewer multiplications",
        )


def one_by_one_saving(
    kernel: int = 5, size: int = 28, c_in: int = 192, c_out: int = 32, reduced: int = 16
) -> OneByOneSaving:
    """Defaults reproduce the lecture: 120,422,400 against 12,443,648 multiplications."""
    for name, value in (
        ("kernel", kernel),
        ("size", size),
        ("input channels", c_in),
        ("output channels", c_out),
        ("reduced channels", reduced),
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    return OneByOneSaving(
        ConvCost(kernel, size, size, c_in, c_out),
        ConvCost(1, size, size, c_in, reduced),
        ConvCost(kernel, size, size, reduced, c_out),
    )

"""Test double: a four-LSOA hierarchy small enough to check every number by hand.

    LSOA 2011          LSOA 2021                    ward 2022   LAD 2022
    A E01000001  U ->  A  E01000001 (pop 100)       W1          X E08000001
    B E01000002  S ->  B1 E01100001 (pop 300)       W1          X
                       B2 E01100002 (pop 100)       W1          X
    C E01000003  M ->  CD E01100003 (pop 400)       W2          Y E08000002
    D E01000004  M ->  CD

LSOA 2011 populations: A 100, B 400, C 150, D 250. Codes are made up (in the GSS shape) and exist only here.
"""

from __future__ import annotations

import pandas as pd

from commons_kernel.geography import Hierarchy

A, B, C, D = "E01000001", "E01000002", "E01000003", "E01000004"
B1, B2, CD = "E01100001", "E01100002", "E01100003"
W1, W2 = "E05000001", "E05000002"
X, Y = "E08000001", "E08000002"
POP11 = pd.Series({A: 100, B: 400, C: 150, D: 250}, name="pop11")
POP21 = pd.Series({A: 100, B1: 300, B2: 100, CD: 400}, name="pop21")


def lookup_lsoa11_lsoa21() -> pd.DataFrame:
    rows = [(A, A, "U", X), (B, B1, "S", X), (B, B2, "S", X), (C, CD, "M", Y), (D, CD, "M", Y)]
    frame = pd.DataFrame(rows, columns=["lsoa11_code", "lsoa21_code", "change", "lad22_code"])
    frame["lsoa11_name"] = frame["lsoa11_code"].map({A: "A", B: "B", C: "C", D: "D"})
    frame["lsoa21_name"] = frame["lsoa21_code"].map({A: "A", B1: "B1", B2: "B2", CD: "CD"})
    frame["lad22_name"] = frame["lad22_code"].map({X: "X", Y: "Y"})
    return frame


def lookup_ward22_lad22() -> pd.DataFrame:
    return pd.DataFrame(
        {"ward22_code": [W1, W2], "ward22_name": ["W1", "W2"], "lad22_code": [X, Y], "lad22_name": ["X", "Y"]}
    )


def lookup_lsoa11_ward22() -> pd.DataFrame:
    return pd.DataFrame({"lsoa11_code": [A, B, C, D], "ward22_code": [W1, W1, W2, W2], "method": ["official"] * 4})


def hierarchy(weights: bool = True) -> Hierarchy:
    return Hierarchy(
        lookup_lsoa11_lsoa21=lookup_lsoa11_lsoa21(),
        lookup_ward22_lad22=lookup_ward22_lad22(),
        lookup_lsoa11_ward22=lookup_lsoa11_ward22(),
        population_lsoa11=POP11 if weights else None,
        population_lsoa21=POP21 if weights else None,
    )


def lsoa11_frame() -> pd.DataFrame:
    """Counts, scores, deciles and a population for the four 2011 LSOAs."""
    return pd.DataFrame(
        {
            "lsoa11_code": [A, B, C, D],
            "cases": [10, 40, 5, 7],
            "score": [1.0, 2.0, 3.0, 5.0],
            "decile": [1, 1, 2, 3],
            "population": [100, 400, 150, 250],
        }
    )

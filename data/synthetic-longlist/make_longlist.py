"""Make the synthetic long list and answers (SYNTHETIC DATA: no real person, officer or case is described).

    python data/synthetic-longlist/make_longlist.py [OUTPUT_FOLDER]

Writes
- ``longlist.csv``: a CRC-sized long list in the sampler's fields (``stats.sampling.LONGLIST_COLUMNS``
  plus ``team``): 250 eligible cases in 3 clusters, 7 local delivery units (LDUs) and 55 responsible
  officers, plus 16 rows the sampler must exclude (6 redacted names, 3 starting in 2099, 3 of other
  gender, 4 later duplicates of an offender: 2 by PNC, 2 by name and date of birth);
- ``answers-current.csv`` and ``answers-previous.csv``: for every long-list case (``crn``), the Yes /
  No / Not applicable answer an inspection would record for 12 case-supervision prompts of the
  bundled South Yorkshire report. Answers are drawn with an officer effect (logit-normal, sd 0.8), so
  that cases of one officer are alike and the design effect of clustering is visible. Harm prompts
  (key questions 2.x.3) apply to cases whose risk of serious harm is not low.

Stratum shares follow the sampler's README example (post-custody non-low 28%, community non-low 39%,
female 16%, community low 10%, post-custody low 7%); officer caseloads are uneven (1 to 14 cases in
the long list) so that the six-case cap matters. Everything is drawn with numpy's default_rng and the
seed below, so running it again gives identical files (the test suite checks this).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240613
N_ELIGIBLE = 250
STRATUM_SHARES = {  # (gender, sentence, low RoSH) -> share
    ("M", "community", False): 0.39,
    ("M", "post-custody", False): 0.28,
    ("F", None, None): 0.16,
    ("M", "community", True): 0.10,
    ("M", "post-custody", True): 0.07,
}
CLUSTERS = {
    "Northfield": ["Northfield East", "Northfield West", "Northfield Rural"],
    "Riverside": ["Riverside Central", "Riverside Docks"],
    "Hillcrest": ["Hillcrest Town", "Hillcrest Valley"],
}
N_OFFICERS = 55
PROMPTS = [
    "2.1.1.a",
    "2.1.1.c",
    "2.1.2.a",
    "2.1.3.a",
    "2.1.3.b",
    "2.2.1.a",
    "2.2.1.b",
    "2.2.2.a",
    "2.2.3.a",
    "2.3.1.a",
    "2.3.3.a",
    "2.4.1.a",
]
FIRST = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Lee",
    "Pat",
    "Robin",
    "Kim",
    "Dana",
    "Ash",
    "Jamie",
    "Toby",
    "Nia",
    "Ravi",
    "Zoe",
    "Omar",
    "Lena",
    "Ivan",
    "Maya",
    "Theo",
]
FAMILY = [
    "Archer",
    "Baker",
    "Carter",
    "Dale",
    "Ellis",
    "Fox",
    "Grant",
    "Hale",
    "Irving",
    "Jones",
    "Kerr",
    "Lowe",
    "Marsh",
    "Nash",
    "Owen",
    "Price",
    "Quinn",
    "Reed",
    "Shaw",
    "Todd",
    "Vance",
    "Webb",
    "Young",
]


def officers(rng):
    """55 synthetic officers spread over the 7 LDUs, with uneven caseload weights."""
    ldus = [(c, ldu) for c, names in CLUSTERS.items() for ldu in names]
    home = [ldus[i % len(ldus)] for i in range(N_OFFICERS)]
    weight = rng.gamma(2.0, 1.0, N_OFFICERS)
    return pd.DataFrame(
        {
            "responsible_officer": [f"Officer {i:02d} (synthetic)" for i in range(1, N_OFFICERS + 1)],
            "cluster": [h[0] for h in home],
            "ldu": [h[1] for h in home],
            "weight": weight / weight.sum(),
        }
    )


def longlist(rng) -> pd.DataFrame:
    staff = officers(rng)
    keys = list(STRATUM_SHARES)
    counts = np.floor(np.array(list(STRATUM_SHARES.values())) * N_ELIGIBLE).astype(int)
    counts[0] += N_ELIGIBLE - counts.sum()
    strata = np.repeat(np.arange(len(keys)), counts)
    rng.shuffle(strata)
    who = rng.choice(N_OFFICERS, N_ELIGIBLE, p=staff["weight"].to_numpy())
    rows = []
    for i, (s, o) in enumerate(zip(strata, who, strict=True)):
        gender, sentence, low = keys[s]
        if gender == "F":
            sentence = rng.choice(["community", "post-custody"], p=[0.6, 0.4])
            low = bool(rng.random() < 0.25)
        start = pd.Timestamp("2019-10-01") + pd.Timedelta(days=int(rng.integers(0, 180)))
        rows.append(
            {
                "crn": f"X{100000 + i}",
                "pnc": f"2019/{i + 1:07d}S",
                "first_name": FIRST[i % len(FIRST)],
                "family_name": f"{FAMILY[(i * 7) % len(FAMILY)]}{i}",
                "dob": f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1960 + i % 40}",
                "gender": gender,
                "sentence_type": "ORA Community Order" if sentence == "community" else "Adult Licence",
                "rosh": "LOW" if low else str(rng.choice(["MEDIUM", "HIGH", "VERY_HIGH"], p=[0.6, 0.35, 0.05])),
                "start_date": start.strftime("%d/%m/%Y"),
                "cluster": staff.loc[o, "cluster"],
                "ldu": staff.loc[o, "ldu"],
                "team": staff.loc[o, "ldu"][:3].upper() + "T1",
                "responsible_officer": staff.loc[o, "responsible_officer"],
            }
        )
    frame = pd.DataFrame(rows)
    extra = []
    base = frame.sample(16, random_state=np.random.RandomState(SEED % 2**32)).to_dict("records")
    for k, r in enumerate(base):
        r = dict(r, crn=f"X{200000 + k}", pnc=f"2020/{k + 1:07d}T", family_name=f"Extra{k}")
        if k < 6:
            r["first_name"] = "*****"
        elif k < 9:
            r["start_date"] = "01/01/2099"
        elif k < 12:
            r["gender"] = "OTHER"
        elif k < 14:  # same PNC as an eligible case, starting later
            src = frame.iloc[int(rng.integers(N_ELIGIBLE))]
            r["pnc"] = src["pnc"]
            r["start_date"] = "31/03/2020"
        else:  # same first name, family name and date of birth, starting later
            src = frame.iloc[int(rng.integers(N_ELIGIBLE))]
            r.update(
                first_name=src["first_name"], family_name=src["family_name"], dob=src["dob"], start_date="31/03/2020"
            )
        extra.append(r)
    out = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    order = rng.permutation(len(out))
    return out.iloc[order].reset_index(drop=True)


def answers(rng, cases: pd.DataFrame, rates: dict) -> pd.DataFrame:
    officer_codes, officer_names = pd.factorize(cases["responsible_officer"])
    harm = (cases["rosh"] != "LOW").to_numpy()
    out = pd.DataFrame({"crn": cases["crn"]})
    for prompt in PROMPTS:
        effect = rng.normal(0.0, 0.8, len(officer_names))
        p = rates[prompt] / 100
        logit = np.log(p / (1 - p)) + effect[officer_codes]
        yes = rng.random(len(cases)) < 1 / (1 + np.exp(-logit))
        col = np.where(yes, "Yes", "No").astype(object)
        if prompt.split(".")[2] == "3":
            col[~harm] = "Not applicable"
        out[prompt] = col
    return out


def main(out: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    prompts = pd.read_csv(root / "data" / "south-yorkshire-crc-2020" / "prompts.csv").set_index("prompt_id")
    rng = np.random.default_rng(SEED)
    cases = longlist(rng)
    current = answers(rng, cases, prompts["current"].to_dict())
    previous_rates = prompts["previous"].fillna(prompts["current"]).to_dict()
    previous = answers(rng, cases, previous_rates)
    out.mkdir(parents=True, exist_ok=True)
    cases.to_csv(out / "longlist.csv", index=False)
    current.to_csv(out / "answers-current.csv", index=False)
    previous.to_csv(out / "answers-previous.csv", index=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)

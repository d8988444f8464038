"""The analyst notebooks 01-06, executed as analyst1 through the real hub and data-api.

Each notebook is uploaded into analyst1's own server and run by Papermill inside a real kernel of that server
(``hub.execute``), so it reads with analyst1's hub token through the data-api, exactly as in JupyterLab.
Notebook 04 asks for a release; the test then has two checkers approve it and analyst1 download it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.notebooks

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
USER = "analyst1"
RUN_DIR = "notebook-runs"

PAPERMILL = """
import json, time, papermill
started = time.monotonic()
try:
    papermill.execute_notebook({source!r}, {target!r}, cwd={folder!r}, kernel_name="python3", progress_bar=False,
                               execution_timeout=600)
    result = {{"ok": True}}
except papermill.PapermillExecutionError as exc:
    result = {{"ok": False, "cell": exc.exec_count, "error": f"{{exc.ename}}: {{exc.evalue}}"}}
result["seconds"] = round(time.monotonic() - started, 1)
print("RESULT " + json.dumps(result))
"""


def test_the_six_notebooks_are_in_the_repository_with_outputs_stripped():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06"]
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text())
        code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), f"{path.name} has outputs"
        assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.fixture(scope="module")
def analyst_server(hub):
    hub.spawn(USER)
    response = hub.server_api(USER, "PUT", f"api/contents/{RUN_DIR}", json={"type": "directory"})
    assert response.status_code in (200, 201), response.text
    return hub


def output_text(notebook: dict) -> str:
    parts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append("".join(output["text"]) if isinstance(output["text"], list) else output["text"])
            for kind in ("text/plain", "text/html"):
                value = output.get("data", {}).get(kind)
                if value:
                    parts.append("".join(value) if isinstance(value, list) else value)
    return "\n".join(parts)


def images(notebook: dict) -> int:
    return sum(
        "image/png" in output.get("data", {}) for cell in notebook["cells"] for output in cell.get("outputs", [])
    )


def run(hub, path: Path) -> tuple[dict, dict]:
    """Upload ``path`` into the analyst's server, execute it there with Papermill; (result, executed notebook)."""
    source, target = f"{RUN_DIR}/{path.name}", f"{RUN_DIR}/{path.stem}-executed.ipynb"
    upload = hub.server_api(
        USER, "PUT", f"api/contents/{source}", json={"type": "notebook", "content": json.loads(path.read_text())}
    )
    assert upload.status_code in (200, 201), upload.text
    out = hub.execute(USER, PAPERMILL.format(source=source, target=target, folder=RUN_DIR), timeout=900)
    assert out["error"] is None, out
    line = next(x for x in out["stdout"].splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    executed = hub.server_api(USER, "GET", f"api/contents/{target}").json()["content"]
    assert result["ok"], f"{path.name} failed in cell {result.get('cell')}: {result.get('error')}"
    return result, executed


def audit(hub) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "commons_hub.cli", "audit", "tail", "-n", "2000", "--json"],
        env=hub.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def reads_by_analyst(hub, purpose: str | None = None) -> set[str]:
    return {
        e["dataset"]
        for e in audit(hub)
        if e["actor"] == USER and e["action"] == "read" and (purpose is None or e["purpose"] == purpose)
    }


def notebook(number: str) -> Path:
    return next(p for p in NOTEBOOKS if p.name.startswith(number))


def test_01_getting_started(analyst_server):
    _, executed = run(analyst_server, notebook("01"))
    text = output_text(executed)
    assert "signed in as analyst1" in text and "May I read it? True" in text
    assert "synthetic_referrals is restricted" in text and "early-help-demand" in text
    assert "OGL-UK-3.0" in text and "Contains" in text  # licences and attribution shown
    assert images(executed) >= 1
    assert {"imd2025_lsoa21", "centroids_lsoa21", "boundaries_lad22"} <= reads_by_analyst(analyst_server)


def test_02_link_and_aggregate(analyst_server):
    _, executed = run(analyst_server, notebook("02"))
    text = output_text(executed)
    assert "LSOA 2021 → ward 2022" in text and "imd_score: mean of imd_score weighted by residents" in text
    assert "pct_disabled: sum of disabled / sum of residents × 100" in text
    assert "imd_score_unweighted" in text and images(executed) >= 2


def test_03_surveillance_finds_the_knowsley_outbreak(analyst_server):
    _, executed = run(analyst_server, notebook("03"))
    text = output_text(executed)
    assert "SYNTHETIC" in text
    found = re.search(r"Longest run of alarms: (\w+), (\d\d \w\w\w 2024) to (\d\d \w\w\w 2024), (\d+) weeks", text)
    assert found, text[-2000:]
    borough, first, last, weeks = found.groups()
    assert borough == "Knowsley" and first.endswith("Feb 2024") and last.endswith("Mar 2024") and int(weeks) >= 4
    assert "Knowsley weekly referrals: pass" in text
    purpose = "Weekly surveillance of referral demand by borough (notebook 03, synthetic data)"
    assert "synthetic_referrals" in reads_by_analyst(analyst_server, purpose)


def test_04_hypothesis_testing_asks_for_a_release_that_two_checkers_approve(analyst_server):
    hub = analyst_server
    _, executed = run(hub, notebook("04"))
    text = output_text(executed)
    assert "OLS Regression Results" in text and "Df Residuals:" in text
    found = re.search(r"Release (\d+) is pending\.", text)
    assert found, text[-2000:]
    release_id = int(found.group(1))
    details = hub.data_api(f"api/releases/{release_id}", user="checker").json()
    assert details["requester"] == USER and details["project"] == "early-help-demand"
    names = {f["name"] for f in details["files"]}
    assert {"rate_by_income_group.csv", "rate_by_income_group_chart.png", "regression_output_0.txt"} <= names
    statuses = {f["name"]: f["check_status"] for f in details["files"]}
    assert statuses["regression_output_0.txt"] == "pass" and statuses["rate_by_income_group_chart.png"] == "review"
    for checker in ("checker", "checker2"):
        response = requests.post(
            f"{hub.url}/services/data-api/api/releases/{release_id}/reviews",
            timeout=60,
            headers={"Authorization": f"token {hub.token(checker)}"},
            json={"decision": "approve", "comment": "Counts of at least 10; dof 996."},
        )
        assert response.status_code == 200, response.text
    assert response.json()["status"] == "released"
    csv = hub.data_api(f"api/releases/{release_id}/files/rate_by_income_group.csv", user=USER)
    assert csv.status_code == 200 and csv.text.startswith("income_deprivation_group,lsoas,referrals,residents")


def test_05_exploration(analyst_server):
    _, executed = run(analyst_server, notebook("05"))
    text = output_text(executed)
    assert "of LSOAs are in the same decile in 2025 as in 2019" in text
    assert "frame a: LSOA 2011 → LSOA 2021" in text and images(executed) >= 2


def test_06_deprivation_summaries(analyst_server):
    _, executed = run(analyst_server, notebook("06"))
    text = output_text(executed)
    assert "Knowsley: published 43.006, computed 43.006" in text
    assert "Appendix N" in text and "'idaci': 'pop_0_15'" in text and "'employment': 'pop_working_age'" in text
    assert "best fit" in text and "Correlation across wards" in text and images(executed) >= 2
    assert "Source: MHCLG, English indices of deprivation 2025" in text  # licence and attribution shown
    assert {"imd2019_lsoa11", "imd2025_lsoa21"} <= reads_by_analyst(analyst_server)

"""`commons ask` without a hub: answers from the catalogue files, JSON with the cited datasets in rank order, a
batch answered by one assistant, each use in the audit log (the question's text only with --share-question).

Keyword search only (no embedding model) to stay fast; the integration tier runs the real model through the CLI.
"""

from __future__ import annotations

import json

import pytest

from commons_hub.audit import AuditLog
from commons_hub.cli import main
from commons_hub.commands.ask import local_gazetteer
from commons_kernel.assistant import member

pytestmark = pytest.mark.unit

TOKENS = ("JUPYTERHUB_API_TOKEN", "COMMONS_API_TOKEN")


@pytest.fixture
def cli(commons_env, monkeypatch, tmp_path, capsys):
    for variable in (*TOKENS, "COMMONS_ASSISTANT_MODEL", "COMMONS_DB_URL"):
        monkeypatch.delenv(variable, raising=False)
    built = []
    real = member.member_assistant

    def keyword_only(*args, **kwargs):  # test double: the real assistant, without the embedding model
        kwargs.update(semantic=False, stories_dir=tmp_path / "no-stories")
        built.append(real(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(member, "member_assistant", keyword_only)

    def run(*argv):
        code = main(["ask", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    run.built = built
    run.home = commons_env
    return run


def assistant_uses() -> list[dict]:
    return [{**e, "detail": json.loads(e["detail"])} for e in AuditLog().entries() if e["action"] == "assistant"]


def test_one_question_as_json_cites_datasets_best_first(cli):
    code, out, _ = cli("How deprived is Everton?", "--json")
    assert code == 0
    [line] = out.strip().splitlines()
    answer = json.loads(line)
    assert answer["question"] == "How deprived is Everton?" and answer["answered"] is True
    names = [d["name"] for d in answer["datasets"]]
    assert "imd" in names[0] and len(names) == len(set(names))
    assert all(d["title"] for d in answer["datasets"])
    scores = [d["score"] for d in answer["datasets"]]
    assert scores == sorted(scores, reverse=True)
    assert "Everton (E05000896) is an electoral ward" in answer["answer"]
    assert answer["snippet"].startswith("import commons_kernel as ck") and "E05000896" in answer["snippet"]


def test_the_use_is_audited_without_the_question(cli):
    code, out, _ = cli("How deprived is Everton?", "--json", "--user", "ana")
    assert code == 0
    [use] = assistant_uses()
    assert (use["actor"], use["actor_kind"], use["outcome"]) == ("ana", "operator", "ok")
    assert use["detail"]["datasets"] == [d["name"] for d in json.loads(out)["datasets"]]
    assert use["detail"]["used_model"] is False and "question" not in use["detail"]
    assert "Everton" not in json.dumps(use)
    assert AuditLog().verify().ok


def test_share_question_records_its_text(cli):
    assert cli("crime in St Helens", "--share-question", "--user", "ana")[0] == 0
    [use] = assistant_uses()
    assert use["detail"]["question"] == "crime in St Helens"


def test_plain_text_answer_ends_with_the_code(cli):
    code, out, _ = cli("crime", "in", "Tuebrook", "and", "Stoneycroft")
    assert code == 0
    assert out.startswith("From the catalogue, best match first:\n1. police_crime_2021_12")
    assert "ck.read('police_crime_2021_12')" in out and "E05000910" in out


def test_a_batch_is_answered_line_by_line_by_one_assistant(cli, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text("How deprived is Everton?\n\n# not a question\ncrime in Wirral\nfood hygiene ratings\n")
    code, out, _ = cli("--batch", str(questions), "--json")
    assert code == 0
    answers = [json.loads(line) for line in out.strip().splitlines()]
    assert [a["question"] for a in answers] == ["How deprived is Everton?", "crime in Wirral", "food hygiene ratings"]
    assert answers[1]["datasets"][0]["name"] == "police_crime_2021_12"
    assert answers[2]["answered"] is False and answers[2]["datasets"] == []
    assert len(cli.built) == 1
    assert [u["detail"]["datasets"][:1] for u in assistant_uses()] == [
        [answers[0]["datasets"][0]["name"]],
        ["police_crime_2021_12"],
        [],
    ]


@pytest.mark.parametrize("argv", [(), ("a question", "--batch", "questions.txt"), ("--batch", "missing.txt")])
def test_a_question_or_a_batch_file_is_needed(cli, argv, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "questions.txt").write_text("crime in Wirral\n")
    code, out, err = cli(*argv)
    assert code == 2 and out == "" and err.startswith("error: ")
    assert cli.built == [] and assistant_uses() == []


def test_user_is_refused_with_a_token(cli, monkeypatch):
    monkeypatch.setenv("COMMONS_API_TOKEN", "0" * 32)
    code, _, err = cli("crime in Wirral", "--user", "ana")
    assert code == 2 and "the token says who you are" in err


def test_wards_come_from_the_local_store_before_the_seed_file(commons_env, monkeypatch):
    monkeypatch.setenv("COMMONS_SEED_DIR", "")
    assert [p.code for p in local_gazetteer().find("poverty in Everton")] == ["E05000896"]


def test_without_store_or_seed_file_only_boroughs_are_known(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONS_HOME", str(tmp_path))
    monkeypatch.setenv("COMMONS_SEED_DIR", "")
    gazetteer = local_gazetteer()
    assert gazetteer.find("Everton") == []
    assert [p.code for p in gazetteer.find("poverty in Wirral")] == ["E08000015"]

"""Batch plans: parsing, the checks made before any job starts, and what each job's edit step sends."""

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_cli.errors import BadInput
from nemo_cli.flows import workflows
from nemo_cli.flows.batch import plan as batch_plan
from nemo_cli.flows.batch.results import Results


@pytest.fixture
def media(tmp_path):
    for name in ("a.mp4", "b.MOV", "c.jpeg", "notes.txt"):
        (tmp_path / name).write_bytes(b"\0" * 64)
    (tmp_path / "empty.mp4").write_bytes(b"")
    return tmp_path


def write(tmp_path, text, name="plan.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_plan_parses_with_paths_relative_to_it(media):
    plan = write(
        media,
        """
[[job]]
file = "a.mp4"
instruction = "add a title 'A'"
output = "out/a.mp4"

[[job]]
name = "talk"
files = ["b.MOV", "c.jpeg"]
recipe = "Trim"
output = "/abs/b.mp4"
[job.args]
remove = "0:01-0:02"
""",
    )
    a, b = batch_plan.load(plan)
    assert (a.index, a.name, a.files, a.output) == (1, "a.mp4", (media / "a.mp4",), media / "out" / "a.mp4")
    assert (a.instruction, a.recipe, a.workflow, a.answers) == ("add a title 'A'", None, None, ())  # sent as written
    assert (b.name, b.recipe, b.args, b.output) == ("talk", "trim", {"remove": ["0:01-0:02"]}, Path("/abs/b.mp4"))
    assert b.files == (media / "b.MOV", media / "c.jpeg")
    # the recipe as `nemo trim --remove=0:01-0:02` builds it, checked against the media's length as it does
    assert recipe(b.recipe_for(None)) == recipe(workflows.trim(["0:01-0:02"], None, None))
    assert b.workflow == "video-trimmer-in-between"
    with pytest.raises(BadInput, match="past the end of the media"):
        b.recipe_for(1500)
    assert b.what == "Remove the section between 0:01 and 0:02 and join the remaining parts smoothly."
    assert b.label == "job 2 (talk)"
    assert batch_plan.results_path(plan) == media / "plan.results.json"


def recipe(built):
    return built.workflow, built.instruction


def test_recipe_options_become_the_commands_flags(media):
    plan = write(
        media,
        """
[[job]]
file = "a.mp4"
recipe = "film"
args = { best-takes = true, transitions = "crossfade", music = "lo-fi", music_volume = 30 }
output = "f.mp4"

[[job]]
file = "a.mp4"
recipe = "grade"
args = { look = "warm", exposure = -0.5, contrast = 10 }
output = "g.mp4"

[[job]]
file = "a.mp4"
recipe = "demo_clip"
args = { length = 30, title = "Tour" }
output = "d.mp4"
""",
    )
    film, grade, demo = batch_plan.load(plan)
    # each job's recipe is the one its command builds from the same options (`nemo film --best-takes
    # --transitions=crossfade --music=lo-fi --music-volume=30`, `nemo grade --look=warm --exposure=-0.5
    # --contrast=10`, `nemo demo-clip --length=30 --title=Tour`), whatever the media's length
    no_grade = {k: None for k in workflows.GRADE_LIMITS}
    for media_ms in (None, 60_000):
        assert recipe(film.recipe_for(media_ms)) == recipe(workflows.film(True, "crossfade", "lo-fi", 30))
        assert recipe(grade.recipe_for(media_ms)) == recipe(workflows.grade("warm", {**no_grade, "exposure": -0.5, "contrast": 10}))
        assert recipe(demo.recipe_for(media_ms)) == recipe(workflows.demo_clip(30, None, "Tour"))
    # and its edit step names the recipe's workflow (X-Skill-Source), as the command does
    assert (film.workflow, grade.workflow, demo.workflow) == (
        workflows.film(True, None, None, None).workflow, workflows.grade("warm", no_grade).workflow,
        workflows.demo_clip(30, None, None).workflow)
    assert demo.what == "Trim the best moments and compile them into a 30-second demo clip with the title 'Tour'."


def test_recipe_options_match_the_recipe_commands():
    """The options a plan may give each recipe are exactly those of its command (less the generic ones)."""
    from nemo_cli.commands import workflows

    generic = {"dry_run", "session", "verbose", "timeout", "json", "json_fields", "jq", "quiet", "answer", "expect_change"}  # answer: a job key
    for recipe, command in [("trim", workflows.trim), ("grade", workflows.grade), ("film", workflows.film), ("demo-clip", workflows.demo_clip)]:
        params = set(inspect.signature(command).parameters) - generic
        assert params == set(batch_plan.RECIPE_ARGS[recipe]), recipe


@pytest.mark.parametrize(
    "body,message",
    [
        ('file = "missing.mp4"\ninstruction = "x"\noutput = "o.mp4"', "job 2 (missing.mp4): missing.mp4: no such file"),
        ('file = "notes.txt"\ninstruction = "x"\noutput = "o.mp4"', "unsupported file type .txt"),
        ('file = "empty.mp4"\ninstruction = "x"\noutput = "o.mp4"', "the file is empty"),
        ('file = "a.mp4"\noutput = "o.mp4"', "needs an instruction"),
        ('file = "a.mp4"\ninstruction = "  "\noutput = "o.mp4"', "instruction must be non-empty"),
        ('file = "a.mp4"\ninstruction = "x"\nrecipe = "trim"\noutput = "o.mp4"', "not both"),
        ('file = "a.mp4"\nrecipe = "sharpen"\noutput = "o.mp4"', "unknown recipe 'sharpen'"),
        ('file = "a.mp4"\nrecipe = "trim"\noutput = "o.mp4"', "give either"),
        ('file = "a.mp4"\nrecipe = "trim"\nargs = { remove = ["0:20-0:10"] }\noutput = "o.mp4"', "empty range"),
        ('file = "a.mp4"\nrecipe = "trim"\nargs = { cut = "1-2" }\noutput = "o.mp4"', "trim has no option 'cut'"),
        ('file = "a.mp4"\nrecipe = "grade"\nargs = { exposure = "bright" }\noutput = "o.mp4"', "args.exposure must be number"),
        ('file = "a.mp4"\nrecipe = "grade"\nargs = { exposure = 9 }\noutput = "o.mp4"', "exposure must be between"),
        ('file = "a.mp4"\ninstruction = "x"\nargs = { a = 1 }\noutput = "o.mp4"', "args belong to a recipe"),
        ('file = "a.mp4"\ninstruction = "x"', "needs output"),
        ('file = "a.mp4"\ninstruction = "x"\noutput = "o.mov"', "must be an .mp4 file"),
        ('file = "a.mp4"\ninstruction = "x"\noutput = "a.mp4"', "one of the job's own files"),
        ('file = "a.mp4"\ninstruction = "x"\noutput = "o.mp4"\ninstuction = "y"', "unknown key 'instuction'"),
        ('files = []\ninstruction = "x"\noutput = "o.mp4"', "needs file"),
        ('file = "a.mp4"\nfiles = ["a.mp4"]\ninstruction = "x"\noutput = "o.mp4"', "file or files, not both"),
    ],
)
def test_bad_jobs_are_named(media, body, message):
    plan = write(media, '[[job]]\nfile = "a.mp4"\ninstruction = "fine"\noutput = "first.mp4"\n\n[[job]]\n' + body + "\n")
    with pytest.raises(BadInput) as caught:
        batch_plan.load(plan)
    assert caught.value.message.startswith(f"{plan}: job 2")
    assert message in caught.value.message


def test_outputs_must_be_distinct_and_not_inputs(media):
    twice = write(media, '[[job]]\nfile = "a.mp4"\ninstruction = "x"\noutput = "o.mp4"\n[[job]]\nfile = "b.MOV"\ninstruction = "y"\noutput = "./o.mp4"\n')
    with pytest.raises(BadInput, match=r"job 2 \(b.MOV\): output .*o.mp4 is also job 1 \(a.mp4\)'s"):
        batch_plan.load(twice)
    clobber = write(media, '[[job]]\nfile = "a.mp4"\ninstruction = "x"\noutput = "b.mp4"\n[[job]]\nfile = "b.mp4"\ninstruction = "y"\noutput = "c.mp4"\n')
    (media / "b.mp4").write_bytes(b"\0")
    with pytest.raises(BadInput, match=r"job 1 \(a.mp4\): output .*b.mp4 is an input of job 2"):
        batch_plan.load(clobber)


@pytest.mark.parametrize(
    "text,message",
    [("", "no jobs"), ("jobs = 1", "unknown top-level key 'jobs'"), ("[[job]\n", "not valid TOML"), ("job = 3", "no jobs")],
)
def test_bad_plans(tmp_path, text, message):
    with pytest.raises(BadInput, match=message):
        batch_plan.load(write(tmp_path, text))


def test_missing_plan(tmp_path):
    with pytest.raises(BadInput, match="no such plan"):
        batch_plan.load(tmp_path / "nope.toml")


def test_fingerprint_follows_what_defines_the_job(media):
    base = '[[job]]\nfile = "a.mp4"\ninstruction = "{}"\noutput = "o.mp4"\n'
    one = batch_plan.load(write(media, base.format("add a title")))[0]
    same = batch_plan.load(write(media, "# a comment\n" + base.format("add a title")))[0]
    other = batch_plan.load(write(media, base.format("add music")))[0]
    assert one.fingerprint() == same.fingerprint() != other.fingerprint()


def test_results_file_is_whole_json_and_survives_reload(tmp_path):
    path = tmp_path / "plan.results.json"
    results = Results(path, tmp_path / "plan.toml")
    results.update("abc", status="running", session="1")
    results.update("abc", status="done", bytes=10, output="/x/o.mp4")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    again = Results.load(path, tmp_path / "plan.toml")
    assert again.get("abc") == {"status": "done", "session": "1", "bytes": 10, "output": "/x/o.mp4"}
    assert again.outputs() == {"/x/o.mp4"}
    again.update("def", status="interrupted", edited=True, output="/x/p.mp4")  # its export may have written it
    again.update("ghi", status="failed", edited=False, output="/x/q.mp4")
    assert again.outputs() == {"/x/o.mp4", "/x/p.mp4"}
    assert json.loads(path.read_text())["jobs"]["abc"]["status"] == "done"
    path.write_text("{ half")
    with pytest.raises(BadInput, match="damaged"):
        Results.load(path, tmp_path / "plan.toml")


def run_nemo(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nemo_cli", *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_a_bad_plan_exits_6_with_one_line_before_anything_is_sent(media):
    plan = write(media, '[[job]]\nfile = "a.mp4"\ninstruction = "x"\noutput = "o.mp4"\n[[job]]\nfile = "gone.mp4"\ninstruction = "y"\noutput = "p.mp4"\n')
    # no API at this address: anything sent would fail with a network error, not exit 6
    result = run_nemo("--api-url", "http://127.0.0.1:9", "batch", str(plan), cwd=media)
    assert result.returncode == 6, result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"error: {plan}: job 2 (gone.mp4): gone.mp4: no such file"
    assert not (media / "plan.results.json").exists()


def test_an_output_not_written_by_the_plan_is_not_overwritten(media):
    (media / "o.mp4").write_bytes(b"mine")
    plan = write(media, '[[job]]\nfile = "a.mp4"\ninstruction = "x"\noutput = "o.mp4"\n')
    result = run_nemo("--api-url", "http://127.0.0.1:9", "batch", str(plan), cwd=media)
    assert result.returncode == 6
    assert "job 1 (a.mp4): output" in result.stderr and "--force" in result.stderr
    assert (media / "o.mp4").read_bytes() == b"mine"


def test_dry_run_shows_each_jobs_instruction(media):
    plan = write(media, '[[job]]\nfile = "a.mp4"\nrecipe = "trim"\nargs = { keep = "0:01-0:03" }\noutput = "o.mp4"\n')
    result = run_nemo("batch", "--dry-run", "--json", str(plan), cwd=media)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["sent"] is False
    assert doc["jobs"][0]["plan"] == "run"
    assert doc["jobs"][0]["instruction"].startswith("Trim the video to keep only the part from 0:01 to 0:03")

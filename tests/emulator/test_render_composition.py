"""The emulator's render shows the edit (issue 17): drafts with each element go through the real render
endpoint, and the MP4 that comes back is read frame by frame and sample by sample. Each element is judged
against a render of the same draft without it (the same cuts, fps conversion and encoder), so what differs
is the element: a title changes its box and nothing else, music adds energy inside its span and leaves the
rest bit-identical, a grade moves the picture's statistics the asked way; size, rate and length are what
the draft and the request say."""

from __future__ import annotations

import copy
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from nemo_cli import mp4
from nemo_cli.emulator import compose
from nemo_cli.emulator.media import ffmpeg, make_clip
from tests.support.video import box_diff, diff_rms, frame, pcm, rms

HEADERS = {"X-Skill-Source": "tests", "X-Skill-Version": "0", "X-Skill-Platform": "ci"}
SIZE = {"resolution": "320x240", "width": 320, "height": 240, "fps": 15}


class Renders:
    """A session holding one uploaded clip (colour bars + a tone), and renders of drafts over it."""

    def __init__(self, emu, tmp: Path) -> None:
        self.emu, self.tmp = emu, tmp
        self.http = httpx.Client(base_url=emu.url, timeout=60)
        token = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())}).json()["data"]["token"]
        self.headers = {"Authorization": f"Bearer {token}", **HEADERS}
        self.sid = self._data("POST", "/api/tasks/me/with-session/nemo_agent", json={"task_name": "t", "language": "en"})["session_id"]
        self.src = self.upload(tmp / "bars.mp4", "smptehdbars")

    def _data(self, method: str, path: str, **kw):
        reply = self.http.request(method, path, headers=self.headers, **kw)
        assert reply.status_code == 200 and reply.json()["code"] == 0, reply.text
        return reply.json()["data"]

    def upload(self, path: Path, pattern: str) -> str:
        make_clip(path, seconds=8, size="320x240", fps=15, pattern=pattern)
        with open(path, "rb") as handle:
            files = self._data("POST", f"/api/upload-video/nemo_agent/me/{self.sid}", files=[("files", (path.name, handle, "video/mp4"))])["files"]
        return files[0]["id"]

    def render(self, draft: dict, output: dict | None = None) -> Path:
        rid = f"render_{uuid.uuid4().hex[:12]}"
        body = {"id": rid, "sessionId": self.sid, "draft": draft, "output": {"format": "mp4", "quality": "high", **(output or SIZE)}}
        assert self.http.post("/api/render/proxy/lambda", json=body, headers=self.headers).status_code == 200
        rendered = self.emu.world.renders[rid]
        assert rendered.done.wait(120), "the render did not end"
        assert rendered.status == "completed", rendered.error
        return rendered.path


@pytest.fixture
def renders(emulator, tmp_path):
    emulator.options.render_seconds = 0
    return Renders(emulator, tmp_path)


def video(src: str, *cuts: tuple[int, int], **meta) -> dict:
    """A video track of cuts (in, d) in ms, played one after the other; `meta` goes on every segment."""
    segs, st = [], 0
    for i, (start, d) in enumerate(cuts):
        segs.append({"id": f"s{i}", "st": st, "d": d, "src": src, "in": start, "m": {"title": "bars", **copy.deepcopy(meta)}})
        st += d
    return {"id": "trk_video", "tt": 0, "m": {"title": "bars"}, "sg": segs}


def draft(*tracks: dict) -> dict:
    return {"t": list(tracks), "d": sum(s["d"] for s in tracks[0]["sg"]), "x_emu": {"rev": 1}}


# -- reading the MP4 (the imageio-ffmpeg binary; no ffprobe, no numpy) ---------------------------------
def mid_frame(t: float, fps: float = 15) -> float:
    return (int(t * fps) + 0.5) / fps  # the middle of a frame: no rounding ambiguity at a boundary


def stats(rgb: bytes) -> dict[str, float]:
    """Mean luma (BT.601), its spread (contrast), chroma = mean(max-min) (saturation), R-B (warmth),
    G-(R+B)/2 (green against magenta: tint)."""
    n = len(rgb) // 3
    ys, chroma, warm, green = [], 0.0, 0.0, 0.0
    for i in range(0, len(rgb), 3):
        r, g, b = rgb[i], rgb[i + 1], rgb[i + 2]
        ys.append(0.299 * r + 0.587 * g + 0.114 * b)
        chroma += max(r, g, b) - min(r, g, b)
        warm += r - b
        green += g - (r + b) / 2
    mean = sum(ys) / n
    return {"luma": mean, "contrast": (sum((y - mean) ** 2 for y in ys) / n) ** 0.5, "saturation": chroma / n,
            "warmth": warm / n, "green": green / n}


TEXT_BOX, TOP = (0.05, 0.66, 0.95, 0.90), (0.0, 0.0, 1.0, 0.45)


# -- titles ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["Summer trip", "夏日旅行 2026", "It's 50% off: {a,b} [c]; %{pts} \\ end"])
def test_a_title_is_drawn_where_the_text_is_for_its_span_only(renders, text):
    cut = video(renders.src, (0, 4000))
    plain = renders.render(draft(cut))
    titled = renders.render(draft(cut, {"id": "trk_title", "tt": 7, "sg": [{"id": "seg_title", "st": 1000, "d": 1500, "m": {"text": text}}]}))
    inside, after, before = mid_frame(1.8), mid_frame(3.2), mid_frame(0.5)
    width, a = frame(titled, inside)
    _, b = frame(plain, inside)
    assert box_diff(a, b, width, TEXT_BOX) > 15  # the text, its outline and its box
    assert box_diff(a, b, width, TOP) < 1.5  # nothing else moved
    for t in (before, after):  # outside the span the picture is the source's
        _, a = frame(titled, t)
        _, b = frame(plain, t)
        assert box_diff(a, b, width, TEXT_BOX) < 1.5, t


def test_a_title_longer_than_the_frame_shrinks_to_fit(renders):
    cut = video(renders.src, (0, 2000))
    text = "这是一个非常非常非常非常非常长的中文标题，它必须缩小才能放进画面里"
    titled = renders.render(draft(cut, {"tt": 7, "sg": [{"st": 0, "d": 2000, "m": {"text": text}}]}))
    plain = renders.render(draft(cut))
    width, a = frame(titled, mid_frame(1.0))
    _, b = frame(plain, mid_frame(1.0))
    assert box_diff(a, b, width, (0.0, 0.66, 0.5, 0.90)) > 10 and box_diff(a, b, width, (0.5, 0.66, 1.0, 0.90)) > 10
    assert box_diff(a, b, width, (0.0, 0.66, 0.02, 0.90)) < 3  # the text and its box stop short of the edges
    assert box_diff(a, b, width, (0.98, 0.66, 1.0, 0.90)) < 3


# -- music -------------------------------------------------------------------------------------------
def test_music_is_heard_in_its_span_and_the_source_elsewhere(renders):
    cut = video(renders.src, (0, 2000), (4000, 2000))
    plain = renders.render(draft(cut))
    music = {"id": "trk_music", "tt": 1, "m": {"title": "Lo-fi beat", "volume": 60, "kind": "music"},
             "sg": [{"id": "seg_music", "st": 1000, "d": 2500, "m": {"title": "Lo-fi beat", "volume": 60}}]}
    mixed = renders.render(draft(cut, music))
    assert rms(pcm(plain)) > 0.01  # the source has sound of its own
    assert diff_rms(pcm(mixed, 1.4, 1.7), pcm(plain, 1.4, 1.7)) > 0.02  # the bed, inside its span
    for start, seconds in ((0.0, 0.8), (3.7, 0.3)):  # outside it, the source's sound, unchanged
        assert diff_rms(pcm(mixed, start, seconds), pcm(plain, start, seconds)) < 0.002, start
    # its volume is the track's: quieter at 20 %
    quiet = copy.deepcopy(music)
    quiet["m"]["volume"] = quiet["sg"][0]["m"]["volume"] = 20
    softer = renders.render(draft(cut, quiet))
    assert diff_rms(pcm(softer, 1.4, 1.7), pcm(plain, 1.4, 1.7)) < 0.6 * diff_rms(pcm(mixed, 1.4, 1.7), pcm(plain, 1.4, 1.7))


# -- grades ------------------------------------------------------------------------------------------
GRADES = [
    ({"exposure": 1.0}, "luma", +1),
    ({"exposure": -1.0}, "luma", -1),
    ({"brightness": 40}, "luma", +1),
    ({"contrast": 50}, "contrast", +1),
    ({"contrast": -50}, "contrast", -1),
    ({"shadows": 60}, "luma", +1),
    ({"highlights": -60}, "luma", -1),
    ({"saturation": 40}, "saturation", +1),
    ({"saturation": -100}, "saturation", -1),
    ({"vibrance": 60}, "saturation", +1),
    ({"temperature": 50}, "warmth", +1),
    ({"temperature": -50}, "warmth", -1),
    ({"tint": 50}, "green", -1),  # + is magenta, as in Lightroom
    ({"look": "warm"}, "warmth", +1),
    ({"look": "black and white"}, "saturation", -1),
    ({"look": "cinematic", "contrast": 0, "saturation": 0, "exposure": 0.0}, "warmth", -1),  # the look's cool cast stays
]


@pytest.mark.parametrize(("grade", "stat", "sign"), GRADES, ids=lambda v: str(v))
def test_a_grade_moves_the_picture_the_asked_way(renders, grade, stat, sign):
    plain = renders.render(draft(video(renders.src, (0, 1000))))
    graded = renders.render(draft(video(renders.src, (0, 1000), grade=grade)))
    before = stats(frame(plain, mid_frame(0.5), (64, 48))[1])
    after = stats(frame(graded, mid_frame(0.5), (64, 48))[1])
    assert (after[stat] - before[stat]) * sign > 2, (stat, before[stat], after[stat])


def test_the_grade_the_emulators_edit_writes_is_applied(renders):
    # the shape edits.grade writes: a look, explicit zeros, then the values asked
    grade = {"look": "warm", "exposure": 0.0, "contrast": 0, "saturation": 0, "temperature": 20, "sharpness": 30}
    plain = renders.render(draft(video(renders.src, (0, 1000))))
    graded = renders.render(draft(video(renders.src, (0, 1000), grade=grade)))
    before = stats(frame(plain, mid_frame(0.5), (64, 48))[1])
    after = stats(frame(graded, mid_frame(0.5), (64, 48))[1])
    assert after["warmth"] > before["warmth"] + 2


# -- size, rate, length ------------------------------------------------------------------------------
@pytest.mark.parametrize(("output", "size", "fps"), [
    ({"resolution": "480x270", "width": 480, "height": 270, "fps": 25}, (480, 270), 25.0),
    ({"resolution": "720p"}, (960, 720), 15.0),  # the short side, the canvas's orientation; the source's rate
    ({"fps": 24}, (320, 240), 24.0),  # no size asked: the canvas (the source's)
    ({}, (320, 240), 15.0),
])
def test_the_asked_size_and_frame_rate_are_in_the_file(renders, output, size, fps):
    out = renders.render(draft(video(renders.src, (0, 1500))), output)
    got = mp4.probe(out)
    assert (got.width, got.height) == size and abs(got.fps - fps) < 0.01
    assert abs(got.seconds - 1.5) <= 1.5 / fps


def test_quality_is_a_bitrate(renders):
    cut = draft(video(renders.upload(renders.tmp / "pattern.mp4", "testsrc"), (0, 3000)))  # a moving picture
    size = {"resolution": "640x480", "width": 640, "height": 480, "fps": 25}  # high 768k, low 307k
    low = renders.render(cut, {**size, "quality": "low"}).stat().st_size
    high = renders.render(cut, {**size, "quality": "high"}).stat().st_size
    assert high > low * 1.3


def test_cuts_transitions_and_speed_keep_the_drafts_length(renders):
    cut = video(renders.src, (0, 1500), (3000, 1000), (5000, 2000))
    cut["sg"][0]["m"]["transition"] = "crossfade"
    cut["sg"][1]["m"]["speed"] = 2.0
    cut["sg"][2]["m"]["transition"] = "wipe"  # after the last segment: nothing to join
    out = renders.render(draft(cut))
    got = mp4.probe(out)
    assert abs(got.seconds - 4.5) <= 1.5 / 15
    assert abs(len(pcm(out)) / 8000 - 4.5) < 0.1


def test_a_transition_into_a_clip_shorter_than_the_fade_is_a_cut(renders):
    cut = video(renders.src, (0, 1500), (2000, 300), (3000, 1000), transition="dissolve")
    out = renders.render(draft(cut))
    assert abs(mp4.probe(out).seconds - 2.8) <= 1.5 / 15
    assert abs(len(pcm(out)) / 8000 - 2.8) < 0.1


def test_a_transition_is_a_short_cross_fade(renders):
    bars = video(renders.src, (0, 1500), (1500, 1500))
    other = renders.upload(renders.tmp / "pattern.mp4", "testsrc")
    bars["sg"][1]["src"] = other
    cut = renders.render(draft(bars))
    bars["sg"][0]["m"]["transition"] = "crossfade"
    faded = renders.render(draft(bars))
    assert abs(mp4.probe(faded).seconds - 3.0) <= 0.1
    width, a = frame(faded, mid_frame(1.75))  # in the middle of the fade: neither picture
    _, b = frame(cut, mid_frame(1.75))
    _, c = frame(cut, mid_frame(1.3))
    whole = (0.0, 0.0, 1.0, 1.0)
    assert box_diff(a, b, width, whole) > 10 and box_diff(a, c, width, whole) > 10
    for t in (0.5, 2.5):  # away from the join, the same pictures as the cut
        _, a = frame(faded, mid_frame(t))
        _, b = frame(cut, mid_frame(t))
        assert box_diff(a, b, width, whole) < 2, t


def test_the_emulators_own_edits_render(emulator, renders):
    """Every element as the emulator's agent writes it into a draft (title, music, grade, transitions,
    speed, a cut) renders, with the draft's length."""
    from nemo_cli.emulator import edits

    state = {"draft": draft(video(renders.src, (0, 3000), (4000, 3000))), "canvas_config": {"width": 320, "height": 240}}
    tl = edits.Timeline(state)
    edits.title(tl, "周末 Weekend")
    edits.music(tl, "lo-fi", 50)
    edits.grade(tl, "warm", {"contrast": 10})
    edits.transitions(tl, "dissolve")
    edits.speed(tl, 1.5)
    out = renders.render(tl.draft)
    assert abs(mp4.probe(out).seconds - tl.draft["d"] / 1000) <= 0.1


def test_a_long_graph_goes_through_a_file(renders, monkeypatch):
    from nemo_cli.emulator import media

    monkeypatch.setattr(media, "INLINE_GRAPH", 500)  # a draft of hundreds of segments, in miniature
    cut = video(renders.src, *[(i * 700, 500) for i in range(6)], transition="crossfade", grade={"look": "vintage"})
    out = renders.render(draft(cut))
    assert abs(mp4.probe(out).seconds - 3.0) <= 0.1
    assert not list(out.parent.glob("*.graph.txt"))  # the file is removed after the run


def test_escaping_survives_the_graph_parser():
    # the graph parser turns a\\:b\\\'c into a\:b\'c, which drawtext reads as a:b'c
    assert compose.esc("a:b'c") == "a\\\\:b\\\\\\'c"
    assert compose.esc("[x],y;z") == "\\[x\\]\\,y\\;z"


def test_a_service_that_renders_at_its_own_size_can_be_emulated(emulator, renders):
    # what the client's "differs from what was asked" warning is tested against (tests/commands)
    emulator.options.render_own_size = (320, 240, 15)
    out = renders.render(draft(video(renders.src, (0, 1000))), {"resolution": "480x270", "width": 480, "height": 270, "fps": 25})
    got = mp4.probe(out)
    assert (got.width, got.height, got.fps) == (320, 240, 15.0)


def test_stills_generated_clips_and_an_uploaded_song_render(renders):
    still, song = renders.tmp / "still.png", renders.tmp / "song.wav"
    for args in (["-f", "lavfi", "-i", "smptebars=size=160x120", "-frames:v", "1", str(still)],
                 ["-f", "lavfi", "-i", "sine=frequency=330:duration=4", str(song)]):
        subprocess.run([ffmpeg(), "-v", "error", "-y", *args], check=True)
    ids = []
    for path in (still, song):
        with open(path, "rb") as handle:
            ids.append(renders._data("POST", f"/api/upload-video/nemo_agent/me/{renders.sid}", files=[("files", (path.name, handle, "application/octet-stream"))])["files"][0]["id"])
    track = video(renders.src, (0, 1000), (0, 1000), (0, 1000), transition="fade")
    track["sg"][1]["src"] = ids[0]
    track["sg"][2]["src"] = "generated"
    plain = renders.render(draft(track))
    music = {"tt": 1, "m": {"title": "song", "volume": 80}, "sg": [{"st": 500, "d": 2000, "src": ids[1], "in": 1000}]}
    mixed = renders.render(draft(track, music))
    for out in (plain, mixed):
        assert abs(mp4.probe(out).seconds - 3.0) <= 0.1
    assert diff_rms(pcm(mixed, 1.0, 1.0), pcm(plain, 1.0, 1.0)) > 0.02  # the uploaded song, in its span
    assert diff_rms(pcm(mixed, 2.6, 0.4), pcm(plain, 2.6, 0.4)) < 0.002

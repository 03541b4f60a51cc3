"""nemo_cli.files on its own, with no network: what may stand at a download's path (symbolic links,
pipes, existing files), the `.part` target's placement and its free-space check, each with the words
the user reads. The transfers themselves (resume, ranges, the MP4 check) are in test_download.py."""

from __future__ import annotations

import os
from collections import namedtuple

import pytest

from nemo_cli import errors, files
from nemo_cli.api.download import Cut


def write_all(target, data: bytes) -> tuple[int, str | None]:
    target.begin(0, len(data))
    target.write(data)
    return target.finish(len(data))


def test_nothing_at_the_path_is_fine_and_an_existing_file_needs_force(tmp_path):
    path = tmp_path / "out.mp4"
    files.check_target(path, force=False)
    path.write_bytes(b"old")
    with pytest.raises(errors.BadInput) as refused:
        files.check_target(path, force=False)
    assert refused.value.message == f"{path} already exists"
    assert refused.value.hint == "pass --force to overwrite it, or choose another path with -o"
    files.check_target(path, force=True)


def test_a_symbolic_link_is_never_written_through(tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_bytes(b"keep me")
    link = tmp_path / "out.mp4"
    link.symlink_to(victim)
    with pytest.raises(errors.BadInput) as refused:
        files.check_target(link, force=False)
    assert refused.value.message == f"{link} is a symbolic link (to {victim}); refusing to write through it"
    assert "--force to replace the link itself" in refused.value.hint
    files.check_target(link, force=True)  # allowed: the link itself is replaced…
    assert write_all(files.FileTarget(link, force=True, sha256=True), b"video")[0] == 5
    assert not link.is_symlink() and link.read_bytes() == b"video"
    assert victim.read_bytes() == b"keep me"  # …and what it pointed at is left alone


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_at_the_path_is_refused_even_with_force(tmp_path):
    fifo = tmp_path / "out.mp4"
    os.mkfifo(fifo)
    with pytest.raises(errors.BadInput, match="is not a regular file; refusing to replace it"):
        files.check_target(fifo, force=True)


def test_the_part_file_is_renamed_into_place_only_when_complete(tmp_path):
    path = tmp_path / "out.mp4"
    target = files.FileTarget(path)
    target.begin(0, 10)
    target.write(b"12345")
    with pytest.raises(Cut):
        target.finish(10)
    target.close()
    assert not path.exists() and (tmp_path / "out.mp4.part").read_bytes() == b"12345"
    assert files.FileTarget(path).have() == 5  # kept for a resume


def test_an_existing_file_is_not_replaced_at_the_rename_without_force(tmp_path):
    path = tmp_path / "out.mp4"
    target = files.FileTarget(path)
    target.begin(0, 3)
    target.write(b"new")
    path.write_bytes(b"old")  # appeared while the transfer ran
    with pytest.raises(errors.BadInput, match="already exists"):
        target.finish(3)
    assert path.read_bytes() == b"old"


def test_a_symbolic_link_at_the_part_name_is_refused(tmp_path):
    (tmp_path / "out.mp4.part").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(errors.BadInput) as refused:
        files.FileTarget(tmp_path / "out.mp4").have()
    assert "is a symbolic link; refusing to write through it" in refused.value.message
    assert refused.value.hint == "remove it and try again"


def test_not_enough_space_is_said_before_a_byte_is_written(tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(files.shutil, "disk_usage", lambda where: usage(10**9, 10**9 - 1_000_000, 1_000_000))
    target = files.FileTarget(tmp_path / "out.mp4")
    with pytest.raises(errors.BadInput) as refused:
        target.begin(0, 5_000_000)
    assert refused.value.message == f"not enough disk space in {tmp_path}: the video needs 5.0 MB, 1.0 MB is free"
    assert refused.value.hint == "free some space, or download somewhere else with -o"
    assert not (tmp_path / "out.mp4.part").exists()


def test_a_resume_only_needs_the_space_of_what_is_left(tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    part = tmp_path / "out.mp4.part"
    part.write_bytes(b"x" * 4_500_000)
    monkeypatch.setattr(files.shutil, "disk_usage", lambda where: usage(10**9, 10**9 - 1_000_000, 1_000_000))
    target = files.FileTarget(tmp_path / "out.mp4")
    target.begin(4_500_000, 5_000_000)  # 0.5 MB to go, 1 MB free
    target.write(b"y" * 500_000)
    assert target.finish(5_000_000)[0] == 5_000_000
    assert (tmp_path / "out.mp4").stat().st_size == 5_000_000

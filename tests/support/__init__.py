"""Helpers the tests share: in-process runs (cli_run), kill points (pause_points), the recorded streams
(recordings), a forward proxy (forward_proxy), a stub of the service's foundations (foundation_stub)."""

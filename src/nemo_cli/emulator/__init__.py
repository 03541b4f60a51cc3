"""A local emulator of the NemoVideo API (`nemo emulator serve|exec`); optional extra `nemo-cli[emulator]`."""

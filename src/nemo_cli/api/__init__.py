"""The API layer: transport, endpoints, reply models, downloads, the event stream."""

import sys

# httpx's __init__ imports its own command-line tool, and with it click, rich and pygments, whenever they
# are installed (rich is one of our dependencies): about a fifth of a second added to every networked
# command, for a tool nemo never runs. A None entry makes that one import fail the way httpx expects
# when its [cli] extra is missing (it then defines a stub `main`). It sits here, in the package every
# module that imports httpx belongs to, so it runs before httpx is first imported.
sys.modules.setdefault("httpx._main", None)

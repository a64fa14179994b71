"""`python3 -m bench` (with Scripts/ on PYTHONPATH), as Scripts/bench.sh runs it."""

from bench.command_line import main

main()

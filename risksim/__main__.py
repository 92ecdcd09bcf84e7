"""``python -m risksim``: the command line of :mod:`risksim.cli.commands`."""

from risksim.cli.commands import main

if __name__ == "__main__":
    main(prog_name="risksim")

"""``python -m risksim``: the command line of :mod:`risksim.cli`."""

from risksim.cli import main

if __name__ == "__main__":
    main(prog_name="risksim")

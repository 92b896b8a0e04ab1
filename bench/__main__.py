"""`python -m bench [build]`: run the benchmarks and print their Markdown tables."""

from __future__ import annotations

import argparse

from . import build


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("suite", nargs="?", default="build", choices=["build"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.suite == "build":
        print(build.markdown(build.run(args.runs)))


if __name__ == "__main__":
    main()

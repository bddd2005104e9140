"""Command line of the synthetic generator (see ``--help``)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from synthetic.generate import generate
from synthetic.scales import SCALES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m synthetic", description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=Path("seeds"))
    parser.add_argument("--defects", type=float, default=0.0, metavar="RATE",
                        help="inject named defects of docs/sources.md into about RATE of the rows "
                             "(at least one of each) and write defects_manifest.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"generating scale={args.scale} seed={args.seed} into {args.out}")
    counts = generate(SCALES[args.scale], args.seed, args.out)
    if args.defects > 0:
        from synthetic.defects import inject_defects

        injected = inject_defects(args.out, args.defects, args.seed)
        print(f"injected {len(injected)} defects, see {args.out / 'defects_manifest.json'}")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(json.dumps(counts, indent=2))
    print(f"done in {time.perf_counter() - started:.1f} s, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

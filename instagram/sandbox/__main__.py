"""python -m instagram.sandbox --host 127.0.0.1 --port 8100 [--state-file F] [--config JSON] [--large-profile] [--profile JSON]"""

from __future__ import annotations

import argparse
import json
import logging

from instagram.sandbox.server import serve
from instagram.sandbox.state import Sandbox


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m instagram.sandbox", description="Offline Instagram Graph API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--state-file", help="persist tokens, containers, media and the ledger here")
    parser.add_argument("--cache-dir", help="where generated and downloaded media files are kept")
    parser.add_argument("--config", default="{}", help='JSON config overrides, e.g. \'{"time_scale": 0.001}\'')
    parser.add_argument("--large-profile", action="store_true", help="add @megabrand: 2,000 posts / 3,000 media")
    parser.add_argument("--profile", action="append", default=[], metavar="JSON",
                        help='add a generated public profile (repeatable), e.g. \'{"username": "gallery", "posts": 230, '
                             '"pinned": 3}\' — the same keys as POST /_control/profiles')
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = json.loads(args.config)
    if args.large_profile:
        config["large_profile"] = True
    sandbox = Sandbox(config=config, state_file=args.state_file, cache_dir=args.cache_dir)
    if args.large_profile and not sandbox.config.get("large_profile"):
        sandbox.config["large_profile"] = True
        sandbox._build_public()
    for spec in args.profile:
        sandbox.add_profile({"posts": 30, **json.loads(spec)})
    serve(args.host, args.port, sandbox)


if __name__ == "__main__":
    main()

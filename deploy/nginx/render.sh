#!/usr/bin/env bash
# Render shebao.conf.template with the values in the environment: deploy/nginx/render.sh > /etc/nginx/conf.d/shebao.conf
# Every ${NAME} of the template must be set; a missing one is an error, not an empty directive.
set -euo pipefail
template="$(dirname "$0")/shebao.conf.template"
python3 - "$template" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
names = sorted(set(re.findall(r"\$\{([A-Z_]+)\}", body)))
missing = [n for n in names if not os.environ.get(n)]
if missing:
    sys.exit("render.sh: set " + ", ".join(missing))
sys.stdout.write(re.sub(r"\$\{([A-Z_]+)\}", lambda m: os.environ.get(m.group(1), m.group(0)), text))
PY

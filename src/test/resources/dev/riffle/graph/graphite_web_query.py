# Answers find/render requests with Debian's graphite-web (Django's test client, no server), for GraphiteWebTest.
# stdin: one request a line, "render <query string>" or "metrics/find <query string>"; stdout: one JSON a line.
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")
sys.path.insert(0, os.environ["GW_DIR"])
os.environ["DJANGO_SETTINGS_MODULE"] = "graphite_web_settings"
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

call_command("migrate", verbosity=0)
client = Client()
for line in sys.stdin:
    kind, query = line.rstrip("\n").split(" ", 1)
    try:
        response = client.get("/" + kind + "?" + query)
        answer = {"status": response.status_code, "body": response.content.decode()}
    except Exception as e:  # what a graphite-web server answers with a 500
        answer = {"status": 500, "body": repr(e)}
    print(json.dumps(answer), flush=True)

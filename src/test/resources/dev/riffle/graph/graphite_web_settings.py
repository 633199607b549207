# graphite-web settings for GraphiteWebTest: whisper files and an sqlite database in the test's folder
import os, sys
from graphite.settings import *  # noqa
base = os.environ["GW_DIR"]
SECRET_KEY = "riffle-test"
WHISPER_DIR = os.path.join(base, "whisper")
STANDARD_DIRS = [WHISPER_DIR]
STORAGE_DIR = base
LOG_DIR = base
INDEX_FILE = os.path.join(base, "index")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(base, "gw.db")}}
CARBONLINK_HOSTS = []
TIME_ZONE = "UTC"
LOG_RENDERING_PERFORMANCE = False
LOG_CACHE_PERFORMANCE = False
LOG_INFO_PERFORMANCE = False

"""The serving benchmark's baseline: a bare Flask "hello world", and Flask's own static route
over the media folder named by ``BENCH_STATIC_FOLDER``."""

import os

from flask import Flask

app = Flask(__name__, static_folder=os.environ.get("BENCH_STATIC_FOLDER", "."),
            static_url_path="/static")


@app.get("/")
def hello():
    return "Hello, World!"

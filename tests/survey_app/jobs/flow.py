"""Helpers for tests of the job flow: follow a started job to its end, download its result."""
from __future__ import annotations

JSON = {"Accept": "application/json"}


def job_json(client, url: str) -> dict:
    """The job's JSON from its staff URL."""
    response = client.get(url, headers=JSON)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()


def follow(client, started, *, expect: str = "done") -> dict:
    """The JSON of the job a form POST started (303 to its page); asserts its end state."""
    assert started.status_code == 303, started.get_data(as_text=True)[:500]
    data = job_json(client, started.headers["Location"])
    assert data["state"] == expect, data
    return data


def download(client, started):
    """The result download of the job a form POST started."""
    data = follow(client, started)
    assert data["download_url"], data
    return client.get(data["download_url"])

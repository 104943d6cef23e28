"""The peer lookback's GitHub connector is measured against: plain PyGithub walking every pull request over REST.

What a straightforward script does: list an org's repositories, list each repository's pulls (100 a page),
then for every pull its detail, files, reviews, review comments and conversation comments.
"""

from __future__ import annotations

from typing import Any

from github import Auth, Github


def walk(token: str, base_url: str, ca_bundle: str | None, org: str, max_repos: int | None = None) -> int:
    """Fetch everything an investigator needs from every pull request of `org` (of its first `max_repos`
    repositories when given); returns the pulls seen."""
    # retry=None: a benchmark should fail on a refused request rather than sleep until the limit resets.
    gh = Github(auth=Auth.Token(token), base_url=base_url, per_page=100, verify=ca_bundle or True,
                seconds_between_requests=None, seconds_between_writes=None, retry=None)
    pulls = 0
    try:
        for index, repo in enumerate(gh.get_organization(org).get_repos()):
            if max_repos is not None and index >= max_repos:
                break
            for simple in repo.get_pulls(state="all", sort="updated", direction="desc"):
                pull = repo.get_pull(simple.number)  # the list shape lacks merge and size fields
                _drain(pull.get_files(), pull.get_reviews(), pull.get_review_comments(), pull.get_issue_comments())
                pulls += 1
    finally:
        gh.close()
    return pulls


def _drain(*lists: Any) -> None:
    for paginated in lists:
        for _ in paginated:
            pass

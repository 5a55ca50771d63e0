"""The page in a real browser: Playwright drives Debian's Chromium against a live server (uvicorn in
a thread on 127.0.0.1, fake model, temporary SQLite). Nothing is fetched from outside: the
quick-exit target is intercepted.

Screenshots go to the test's tmp dir and to ``tests/artifacts/`` (git-ignored) to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from langchain_core.prompt_values import PromptValue
from web_fixtures import live_server, web_settings

from coach.api import create_app
from coach.api.deps import get_coach
from coach.models import BackendProfile, GenerationParams, StreamInterrupted
from coach.models.langchain import FakeBackend
from coach.service import Coach

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RIGHTMOST_EDGE = (
    "Math.max(...[...document.querySelectorAll('body *')]"
    ".map(e => e.getBoundingClientRect().right))"
)
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, expect, sync_playwright


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(web_settings(tmp_path_factory.mktemp("browser")))


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh browser profile (so a fresh person) that fails the test on any console error."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on("dialog", lambda dialog: dialog.accept())
    tab.goto("/")
    expect(tab.locator("#plan-day")).not_to_be_empty()
    yield tab
    context.close()
    assert problems == [], problems


def _chat(page: Page, text: str) -> None:
    count = page.locator(".bubble.coach").count()
    page.fill("#chat-input", text)
    with page.expect_response("**/api/chat") as response:
        page.click("#chat-send")
    assert response.value.headers["content-type"].startswith("text/event-stream")
    expect(page.locator(".bubble.coach")).to_have_count(count + 1)
    expect(
        page.locator(".bubble.coach").last.locator(".bubble-foot, .bubble-text")
    ).not_to_have_count(0)
    expect(page.locator(".bubble.streaming")).to_have_count(0)


def _save(page: Page, tmp_path: Path, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / name)


def test_the_whole_page(page: Page, tmp_path: Path) -> None:
    expect(page).to_have_title("The connection coach")
    expect(page.locator("#notice")).to_contain_text("not a therapist")
    expect(page.locator("#quick-exit")).to_be_visible()

    # Chat: the answer streams into a bubble, the disclaimer opens the conversation.
    _chat(page, "My partner goes quiet when I ask how they feel. What can I do?")
    expect(page.locator(".system-note")).to_contain_text("not a therapist")
    answer = page.locator(".bubble.coach").last
    expect(answer.locator(".bubble-text")).not_to_be_empty()
    expect(answer.locator(".bubble-why")).to_contain_text("Why:")
    _chat(page, "Thank you. What could I try tonight?")
    expect(page.locator(".system-note")).to_have_count(1)
    expect(page.locator("#conversation-picker option")).to_have_count(2)

    # They said...: reply cards, each saying why it works and where that comes from.
    page.fill("#reply-message", "I'm exhausted, the baby was up all night again")
    page.click("#reply-form button[type=submit]")
    cards = page.locator("#reply-cards .card")
    expect(cards).to_have_count(3)
    for index in range(3):
        card = cards.nth(index)
        expect(card.locator(".card-text")).not_to_be_empty()
        expect(card.locator(".why-title")).not_to_be_empty()
        expect(card.locator(".why-source")).to_contain_text("Source:")
    cards.first.locator(".copy").click()
    expect(cards.first.locator(".copy")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == cards.first.locator(".card-text").text_content()

    # Questions, fitted to the partner's way of showing care.
    page.click("#questions-form label:has-text('Quiet support')")
    page.click("#questions-form button[type=submit]")
    expect(page.locator("#questions-cards .card")).to_have_count(5)
    expect(page.locator("#questions-cards")).to_contain_text("quiet support")

    # The plan: start, mark a day done, and it is still done after a reload.
    expect(page.locator("#plan-dots .dot")).to_have_count(30)
    page.click("#plan-start")
    expect(page.locator("#plan-day")).to_have_text("Day 1 of 30")
    page.click("#plan-done")
    expect(page.locator("#plan-day")).to_have_text("Day 2 of 30")
    page.reload()
    expect(page.locator("#plan-day")).to_have_text("Day 2 of 30")
    expect(page.locator("#plan-dots .dot.done")).to_have_count(1)
    expect(page.locator("#plan-dots .dot.today")).to_have_attribute("data-day", "2")
    expect(page.locator("#plan-progress")).to_have_text("1 of 30 days done")
    expect(page.locator("#plan-step .card")).to_contain_text("Why it works")

    # Earlier conversations come back after the reload.
    page.select_option("#conversation-picker", index=1)
    expect(page.locator(".bubble.user")).to_have_count(2)
    expect(page.locator(".system-note")).to_contain_text("not a therapist")
    _chat(page, "One more thing about tonight.")
    expect(page.locator(".bubble.coach")).to_have_count(3)

    page.fill("#reply-message", "I'm so tired of my boss taking credit for everything.")
    page.click("#reply-form button[type=submit]")
    expect(page.locator("#reply-cards .card")).to_have_count(3)
    page.click("#questions-form label:has-text('Quiet support')")
    page.click("#questions-form button[type=submit]")
    expect(page.locator("#questions-cards .card")).to_have_count(5)
    _save(page, tmp_path, "page.png")

    # Delete my data (after a confirm): a fresh start.
    page.click("#delete-me")
    expect(page.locator("#plan-start")).to_be_visible()
    expect(page.locator("#conversation-picker option")).to_have_count(1)
    expect(page.locator("#plan-dots .dot.done")).to_have_count(0)
    export = page.request.get("/api/export").json()
    assert export["conversations"] == [] and export["plan"]["done"] == []


def test_a_phone_sized_screen(page: Page, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#plan-day")).not_to_be_empty()
    _chat(page, "How do I tell my partner I miss them?")
    expect(page.locator("#delete-chat")).to_be_visible()
    expect(page.locator("#conversation-picker option")).to_have_count(2)
    widest = page.evaluate(RIGHTMOST_EDGE)
    assert widest <= 390, "something sticks out of a phone-sized screen"
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    _save(page, tmp_path, "page-phone.png")


def test_the_safety_banner_shows_resources(page: Page) -> None:
    expect(page.locator("#safety-banner")).to_be_hidden()
    _chat(page, "I want to kill myself")
    expect(page.locator("#safety-banner")).to_be_visible()
    expect(page.locator("#safety-resources li")).not_to_have_count(0)
    expect(page.locator(".bubble.coach.safety")).to_have_count(1)


def test_model_text_is_shown_as_text_never_as_html(page: Page, app: FastAPI) -> None:
    html = "<img src=x id=injected> That sounds <b>really</b> hard."
    fake = FakeBackend([html])
    app.dependency_overrides[get_coach] = lambda: Coach(app.state.settings, fake)
    try:
        page.fill("#chat-input", "<i id=mine>my own</i> words")
        page.click("#chat-send")
        expect(page.locator(".bubble.streaming")).to_have_count(0)
        expect(page.locator(".bubble.coach")).to_have_count(1)
    finally:
        app.dependency_overrides.clear()
    expect(page.locator(".bubble.user .bubble-text")).to_have_text("<i id=mine>my own</i> words")
    assert page.locator("#mine, #injected, .bubble b").count() == 0
    conversation = page.request.get("/api/conversations").json()["conversations"][0]
    stored = page.request.get(f"/api/conversations/{conversation['id']}").json()
    reply = stored["messages"][1]["text"]  # the model's line if it passed the checks, else grounded
    expect(page.locator(".bubble.coach .bubble-text")).to_have_text(reply)
    assert fake.history, "the scripted model was asked"


def test_quick_exit_leaves_for_a_neutral_site(page: Page) -> None:
    page.route(
        "https://www.weather.com/**",
        lambda route: route.fulfill(body="weather", content_type="text/plain"),
    )
    page.click("#quick-exit")
    page.wait_for_url("https://www.weather.com/**")
    assert "weather.com" in page.url


class _CutsOff:
    """Streams one sentence, then its stream breaks (as a remote model's connection would)."""

    name = "cuts-off"
    profile: BackendProfile = "chat"

    def generate(self, prompt: PromptValue, params: GenerationParams) -> str:
        return "It makes sense that you feel tired and lonely."

    def stream(self, prompt: PromptValue, params: GenerationParams) -> Iterator[str]:
        yield "It makes sense that you feel tired and lonely. "
        yield "What part of"
        raise StreamInterrupted("The model's answer broke off before it was finished.")


def test_a_cut_answer_is_kept_and_offers_to_try_again(page: Page, app: FastAPI) -> None:
    expect(page.locator("#where")).to_have_text(
        "Your words are processed on this server and go nowhere else."
    )
    cut = _CutsOff()
    app.dependency_overrides[get_coach] = lambda: Coach(app.state.settings, cut)
    try:
        page.fill("#chat-input", "I feel so tired and lonely lately.")
        page.click("#chat-send")
        answer = page.locator(".bubble.coach").last
        expect(answer).to_have_class("bubble coach incomplete")
        expect(answer.locator(".bubble-text")).to_have_text(
            "It makes sense that you feel tired and lonely."
        )
        expect(answer.locator(".bubble-cut")).to_have_text("This answer was cut off.")
        expect(page.locator("#chat-error")).to_contain_text("broke off")
        retry = page.locator(".retry-bar button")
        expect(retry).to_have_text("Try again")
    finally:
        app.dependency_overrides.clear()
    retry.click()
    expect(page.locator(".retry-bar")).to_have_count(0)
    expect(page.locator(".bubble.coach")).to_have_count(2)
    expect(page.locator(".bubble.streaming")).to_have_count(0)
    expect(page.locator(".bubble.coach").last.locator(".bubble-why")).to_contain_text("Why:")
    conversation = page.request.get("/api/conversations").json()["conversations"][0]
    stored = page.request.get(f"/api/conversations/{conversation['id']}").json()["messages"]
    assert [(m["role"], m["incomplete"]) for m in stored] == [
        ("user", False),
        ("coach", True),
        ("coach", False),
    ]

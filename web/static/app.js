// The connection coach's page. Hand-written, no framework, no build step.
// Rule: anything the coach (a model) wrote is put on the page with textContent, never as HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const DAYS = Number(document.body.dataset.days || 30);
  let conversationId = null;

  // -- small helpers ------------------------------------------------------------------------

  function showError(id, message) {
    const box = $(id);
    box.textContent = message || "";
    box.hidden = !message;
  }

  async function api(method, path, body) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      const detail = data && typeof data.detail === "string" ? data.detail : "";
      throw new Error(detail || `The coach could not answer (${response.status}). Please try again.`);
    }
    return data;
  }

  function busy(button, on, label) {
    if (!button) return;
    if (on) {
      button.dataset.label = button.textContent;
      button.textContent = label || "Thinking…";
    } else if (button.dataset.label) {
      button.textContent = button.dataset.label;
    }
    button.disabled = on;
  }

  async function copyText(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    const before = button.textContent;
    button.textContent = "Copied";
    button.classList.add("copied");
    setTimeout(() => {
      button.textContent = before;
      button.classList.remove("copied");
    }, 1500);
  }

  // The "why" sentence reads "Title (Source; Source): reason." - show its parts separately.
  function explain(why, principles, ids) {
    const cited = (principles || []).filter((p) => (ids || []).includes(p.id));
    const first = cited[0];
    if (!first) return { title: "", reason: why || "", sources: [] };
    const prefix = `${first.title} (${first.sources.join("; ")}): `;
    const reason = why && why.startsWith(prefix) ? why.slice(prefix.length) : why || "";
    const sources = [...new Set(cited.flatMap((p) => p.sources))];
    return { title: first.title, reason, sources };
  }

  function card(text, why, principles, ids) {
    const node = $("card-template").content.firstElementChild.cloneNode(true);
    node.querySelector(".card-text").textContent = text;
    const reason = explain(why, principles, ids);
    node.querySelector(".why-title").textContent = reason.title ? `${reason.title}.` : "";
    node.querySelector(".why-reason").textContent = reason.reason;
    const source = node.querySelector(".why-source");
    source.textContent = reason.sources.length ? `Source: ${reason.sources.join("; ")}` : "";
    const copy = node.querySelector(".copy");
    copy.addEventListener("click", () => copyText(text, copy));
    return node;
  }

  function showCards(containerId, answer) {
    const box = $(containerId);
    box.replaceChildren();
    if (checkSafety(answer)) return;
    for (const s of answer.suggestions || []) {
      box.appendChild(card(s.text, s.why, answer.principles, s.principles));
    }
  }

  // Returns true when the safety screen fired (the banner then shows its message and resources).
  function checkSafety(answer) {
    const safety = answer && answer.safety;
    if (!safety || safety.risk === "none") return false;
    $("safety-message").textContent = safety.message;
    const list = $("safety-resources");
    list.replaceChildren();
    for (const r of safety.resources || []) {
      const item = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = r.name;
      item.append(name, document.createTextNode(`: ${r.contact}`));
      list.appendChild(item);
    }
    $("safety-banner").hidden = false;
    $("safety-banner").scrollIntoView({ behavior: "smooth", block: "start" });
    return true;
  }

  // -- chat -----------------------------------------------------------------------------------

  function bubble(role, text) {
    $("chat-empty").hidden = true;
    const node = document.createElement("div");
    node.className = `bubble ${role}`;
    const body = document.createElement("p");
    body.className = "bubble-text";
    body.textContent = text || "";
    node.appendChild(body);
    $("messages").appendChild(node);
    scrollChat();
    return node;
  }

  function finishBubble(node, answer) {
    node.querySelector(".bubble-text").textContent = answer.reply || "";
    if (checkSafety(answer)) {
      node.classList.add("safety");
      return;
    }
    if (answer.notice) {
      const notice = document.createElement("p");
      notice.className = "bubble-notice";
      notice.textContent = answer.notice;
      node.appendChild(notice);
    }
    if (answer.incomplete) markIncomplete(node);
    const s = (answer.suggestions || [])[0];
    if (!s) return;
    const reason = explain(s.why, answer.principles, s.principles);
    const foot = document.createElement("div");
    foot.className = "bubble-foot";
    const why = document.createElement("p");
    why.className = "bubble-why";
    why.textContent = reason.title
      ? `Why: ${reason.title}${reason.sources.length ? ` (${reason.sources.join("; ")})` : ""}`
      : "";
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "copy ghost small";
    copy.textContent = "Copy";
    copy.setAttribute("aria-label", "Copy this answer");
    copy.addEventListener("click", () => copyText(answer.reply || "", copy));
    foot.append(why, copy);
    node.appendChild(foot);
  }

  function scrollChat() {
    const box = $("messages");
    box.scrollTop = box.scrollHeight;
  }

  // Reads server-sent events from a fetch body: "event: name" and "data: {json}" blocks.
  async function readEvents(response, onEvent) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(name, JSON.parse(data.join("\n")));
      }
    }
  }

  async function sendChat(event) {
    event.preventDefault();
    const input = $("chat-input");
    const message = input.value.trim();
    if (!message) return;
    bubble("user", message);
    input.value = "";
    await ask(message, false);
  }

  // Asks the coach about `message` (already shown as the person's bubble). An answer that breaks
  // off keeps what arrived, marked as cut off, and a "Try again" button asks again with
  // retry: true, so the server does not store the person's message twice.
  async function ask(message, retry) {
    showError("chat-error", "");
    const coachBubble = bubble("coach", "");
    coachBubble.classList.add("streaming");
    const send = $("chat-send");
    busy(send, true, "…");
    let broke = null;
    let finished = false;
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: JSON.stringify({ message, conversation_id: conversationId, retry }),
      });
      if (!response.ok) {
        let detail = "";
        try {
          detail = (await response.json()).detail;
        } catch (_) {
          detail = "";
        }
        const wait = response.headers.get("Retry-After");
        broke = {
          message: detail || `The coach could not answer (${response.status}).`,
          again: [429, 500, 502, 503, 504].includes(response.status),
          wait: wait ? Number(wait) : 0,
        };
      } else {
        const text = coachBubble.querySelector(".bubble-text");
        await readEvents(response, (name, data) => {
          if (name === "start") {
            conversationId = data.conversation_id;
          } else if (name === "disclaimer") {
            coachBubble.before(systemNoteNode(data.text));
          } else if (name === "token") {
            text.textContent += data.text;
            scrollChat();
          } else if (name === "done") {
            finished = true;
            finishBubble(coachBubble, data);
          } else if (name === "error") {
            broke = { message: data.message, again: true, wait: 0 };
          }
        });
        if (!finished && !broke) {
          broke = { message: "The connection was lost before the answer was finished.", again: true, wait: 0 };
        }
        refreshConversations();
      }
    } catch (error) {
      broke = { message: "The connection was lost before the answer was finished.", again: true, wait: 0 };
    } finally {
      coachBubble.classList.remove("streaming");
      busy(send, false);
      $("delete-chat").hidden = !conversationId;
    }
    if (broke) offerRetry(coachBubble, message, broke);
  }

  function markIncomplete(node) {
    node.classList.add("incomplete");
    if (node.querySelector(".bubble-cut")) return;
    const note = document.createElement("p");
    note.className = "bubble-cut";
    note.textContent = "This answer was cut off.";
    node.appendChild(note);
  }

  function offerRetry(coachBubble, message, broke) {
    if (coachBubble.querySelector(".bubble-text").textContent) markIncomplete(coachBubble);
    else coachBubble.remove();
    showError("chat-error", broke.message);
    if (!broke.again) {
      const input = $("chat-input");
      if (!input.value) input.value = message;
      return;
    }
    const bar = document.createElement("div");
    bar.className = "retry-bar";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "ghost small";
    button.textContent = "Try again";
    button.addEventListener("click", () => {
      bar.remove();
      ask(message, true);
    });
    if (broke.wait > 0) {
      button.disabled = true;
      setTimeout(() => {
        button.disabled = false;
      }, broke.wait * 1000);
    }
    bar.appendChild(button);
    $("messages").appendChild(bar);
    scrollChat();
  }

  function systemNoteNode(text) {
    const note = document.createElement("p");
    note.className = "system-note";
    note.textContent = text;
    return note;
  }

  function resetChat() {
    conversationId = null;
    $("messages").replaceChildren($("chat-empty"));
    $("chat-empty").hidden = false;
    $("conversation-picker").value = "";
    $("delete-chat").hidden = true;
    showError("chat-error", "");
  }

  async function refreshConversations() {
    try {
      const data = await api("GET", "/api/conversations");
      const picker = $("conversation-picker");
      const keep = conversationId || "";
      picker.replaceChildren(new Option("New conversation", ""));
      for (const c of data.conversations) {
        picker.appendChild(new Option(c.title, c.id));
      }
      picker.value = keep;
    } catch (error) {
      showError("chat-error", error.message);
    }
  }

  async function openConversation(id) {
    if (!id) {
      resetChat();
      return;
    }
    try {
      const data = await api("GET", `/api/conversations/${encodeURIComponent(id)}`);
      resetChat();
      conversationId = data.id;
      $("conversation-picker").value = data.id;
      $("delete-chat").hidden = false;
      $("messages").appendChild(systemNoteNode($("notice").textContent.trim()));
      for (const m of data.messages) {
        const node = bubble(m.role, m.text);
        if (m.role === "coach" && m.answer) finishBubble(node, m.answer);
        if (m.incomplete) markIncomplete(node);
      }
    } catch (error) {
      showError("chat-error", error.message);
    }
  }

  async function deleteConversation() {
    if (!conversationId || !confirm("Delete this conversation for good?")) return;
    try {
      await api("DELETE", `/api/conversations/${encodeURIComponent(conversationId)}`);
      resetChat();
      refreshConversations();
    } catch (error) {
      showError("chat-error", error.message);
    }
  }

  // -- they said / questions -----------------------------------------------------------------

  async function askReplies(event) {
    event.preventDefault();
    const button = event.submitter || event.target.querySelector("button");
    showError("reply-error", "");
    busy(button, true);
    try {
      const answer = await api("POST", "/api/reply", {
        message: $("reply-message").value,
        context: $("reply-context").value || null,
      });
      showCards("reply-cards", answer);
    } catch (error) {
      showError("reply-error", error.message);
    } finally {
      busy(button, false);
    }
  }

  async function askQuestions(event) {
    event.preventDefault();
    const button = event.submitter || event.target.querySelector("button");
    const style = new FormData(event.target).get("style") || null;
    showError("questions-error", "");
    busy(button, true);
    try {
      const answer = await api("POST", "/api/questions", {
        style,
        context: $("questions-context").value || null,
      });
      showCards("questions-cards", answer);
    } catch (error) {
      showError("questions-error", error.message);
    } finally {
      busy(button, false);
    }
  }

  // -- the 30-day plan -----------------------------------------------------------------------

  function showPlan(plan) {
    const done = new Set(plan.done);
    $("plan-day").textContent = plan.started
      ? plan.finished
        ? `All ${DAYS} days done. Well done, both of you.`
        : `Day ${plan.today} of ${DAYS}`
      : "Ready when you are: day 1 of 30";
    $("plan-phase").textContent = plan.step.phase;
    const step = $("plan-step");
    step.replaceChildren(card(plan.step.text, plan.step.why, plan.step.principles, plan.step.principles.map((p) => p.id)));
    const dots = $("plan-dots");
    dots.replaceChildren();
    for (let day = 1; day <= DAYS; day += 1) {
      const dot = document.createElement("li");
      dot.className = "dot";
      if (done.has(day)) dot.classList.add("done");
      if (plan.started && day === plan.today && !done.has(day)) dot.classList.add("today");
      dot.title = `Day ${day}${done.has(day) ? ": done" : ""}`;
      dot.dataset.day = String(day);
      dots.appendChild(dot);
    }
    $("plan-progress").textContent = plan.started ? `${done.size} of ${DAYS} days done` : "";
    $("plan-start").hidden = plan.started;
    $("plan-done").hidden = !plan.started || plan.finished;
    $("plan-done").textContent = `Mark day ${plan.today} done`;
    $("plan-more").hidden = !plan.started || plan.finished;
    $("plan-restart").hidden = !plan.started;
  }

  async function planAction(body, button) {
    showError("plan-error", "");
    busy(button, true, "Saving…");
    try {
      showPlan(await api("POST", "/api/plan", body));
      $("plan-ideas").replaceChildren();
    } catch (error) {
      showError("plan-error", error.message);
    } finally {
      busy(button, false);
    }
  }

  async function loadPlan() {
    try {
      showPlan(await api("GET", "/api/plan"));
    } catch (error) {
      showError("plan-error", error.message);
    }
  }

  async function moreIdeas() {
    const button = $("plan-more");
    showError("plan-error", "");
    busy(button, true);
    try {
      const answer = await api("POST", "/api/ritual", {});
      const box = $("plan-ideas");
      box.replaceChildren();
      if (checkSafety(answer)) return;
      // The first suggestion is today's step (already shown); show the other ideas.
      const ideas = (answer.suggestions || []).slice(1);
      for (const s of ideas.length ? ideas : answer.suggestions || []) {
        box.appendChild(card(s.text, s.why, answer.principles, s.principles));
      }
    } catch (error) {
      showError("plan-error", error.message);
    } finally {
      busy(button, false);
    }
  }

  // -- your data -----------------------------------------------------------------------------

  async function deleteMe() {
    const sure = confirm(
      "Delete all your conversations and your plan progress? This cannot be undone."
    );
    if (!sure) return;
    try {
      await api("DELETE", "/api/me");
      window.location.reload();
    } catch (error) {
      showError("data-error", error.message);
    }
  }

  function quickExit() {
    document.body.replaceChildren();
    window.location.replace("https://www.weather.com");
  }

  // -- wiring --------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("quick-exit").addEventListener("click", quickExit);
    $("chat-form").addEventListener("submit", sendChat);
    $("chat-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        $("chat-form").requestSubmit();
      }
    });
    $("new-chat").addEventListener("click", resetChat);
    $("delete-chat").addEventListener("click", deleteConversation);
    $("conversation-picker").addEventListener("change", (e) => openConversation(e.target.value));
    $("reply-form").addEventListener("submit", askReplies);
    $("questions-form").addEventListener("submit", askQuestions);
    $("plan-start").addEventListener("click", (e) => planAction({ action: "start" }, e.target));
    $("plan-done").addEventListener("click", (e) => planAction({ action: "done" }, e.target));
    $("plan-more").addEventListener("click", moreIdeas);
    $("plan-restart").addEventListener("click", (e) => {
      if (confirm("Start the 30 days over? Your ticked days will be cleared.")) {
        planAction({ action: "start" }, e.target);
      }
    });
    $("delete-me").addEventListener("click", deleteMe);
    refreshConversations();
    loadPlan();
  });
})();

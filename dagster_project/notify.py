"""Send a notice where the team looks: an email through SMTP and/or a Slack-compatible webhook.

The channels and their addresses come from :class:`dagster_project.config.AlertSettings`;
:func:`deliver` tries every configured one and raises :class:`DeliveryError` naming those that
failed (after trying the others), so one broken channel does not silence the rest.
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.request
from email.message import EmailMessage

from dagster_project.config import AlertSettings

TIMEOUT_SECONDS = 30


class DeliveryError(RuntimeError):
    """At least one configured channel could not be reached."""


def send_email(alerts: AlertSettings, subject: str, body: str) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = alerts.smtp_from
    message["To"] = ", ".join(alerts.smtp_to)
    message.set_content(body)
    with smtplib.SMTP(alerts.smtp_host, alerts.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
        if alerts.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if alerts.smtp_user:
            smtp.login(alerts.smtp_user, alerts.smtp_password)
        smtp.send_message(message)


def post_webhook(url: str, text: str) -> None:
    """POST ``{"text": text}`` as JSON (what Slack, Mattermost and Teams workflows accept)."""
    request = urllib.request.Request(url, data=json.dumps({"text": text}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # http(s) only: checked in config
        response.read()


def deliver(alerts: AlertSettings, subject: str, body: str) -> list[str]:
    """Send ``subject`` and ``body`` on every configured channel; the channels it reached."""
    attempts = []
    if alerts.smtp_host:
        attempts.append(("email", lambda: send_email(alerts, subject, body)))
    if alerts.webhook_url:
        attempts.append(("webhook", lambda: post_webhook(alerts.webhook_url, f"*{subject}*\n{body}")))
    reached, failed = [], []
    for channel, send in attempts:
        try:
            send()
            reached.append(channel)
        except OSError as exc:  # SMTP errors, HTTP errors and refused connections alike
            failed.append(f"{channel}: {type(exc).__name__}: {exc}")
    if failed:
        raise DeliveryError(f"could not notify ({'; '.join(failed)}); reached: {', '.join(reached) or 'none'}")
    return reached

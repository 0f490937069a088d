import {
  type BatchProxyError,
  isBatchNetworkError,
  isBatchProxyError,
  isBatchTimeoutError,
} from "@batch-custom-data/browser";
import { SignInError } from "./session.js";

export interface Explained {
  title: string;
  text: string;
  details?: string;
}

/** An error's message without the call it was about (" [DELETE https://…, attempt 1]"), for people. */
const sentence = (message: string) => message.replace(/ \[[A-Z]+ [^\]]*\]$/, "");

function technical(error: Error): string {
  const { name, status, proxyCode, request } = error as BatchProxyError;
  return [
    name,
    status ? `HTTP ${status}` : "",
    proxyCode ?? "",
    request ? `${request.method} ${request.url}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
}

/**
 * What to tell the person in front of the page: what happened and what to do, in their
 * terms (`who` says whose action it was). The error's own details go under "Technical details".
 */
export function explain(error: unknown, who: "user" | "operator"): Explained {
  if (error instanceof SignInError) {
    return { title: "You are signed out", text: error.message };
  }
  if (isBatchProxyError(error)) {
    const details = technical(error);
    switch (error.proxyCode) {
      case "UNAUTHORIZED":
        return who === "user"
          ? { title: "Your session has expired", text: "Sign in again, then retry.", details }
          : {
              title: "The admin token was refused",
              text: "Check the admin token, then start again.",
              details,
            };
      case "UPSTREAM_UNAVAILABLE": {
        const wait = error.retryAfterMs
          ? ` (in about ${Math.ceil(error.retryAfterMs / 60_000)} min)`
          : "";
        return {
          title: "The deletion service is busy",
          text: `Batch could not take the request just now. Nothing is lost: try again in a few minutes${wait}.`,
          details,
        };
      }
      case "UPSTREAM_REJECTED":
        return {
          title: "The deletion could not be completed",
          text:
            who === "user"
              ? "The service is misconfigured on our side. Please contact support; your request was not completed."
              : "Batch refused the call: the deletion service's configuration (keys, plan) needs fixing.",
          details,
        };
      case "INVALID_IDS":
      case "NO_IDS":
        return { title: "The file was refused", text: sentence(error.message), details };
      case "JOB_NOT_FOUND":
        return { title: "This job no longer exists", text: sentence(error.message), details };
      default:
        return {
          title: "The deletion service refused the request",
          text: sentence(error.message),
          details,
        };
    }
  }
  if (isBatchNetworkError(error)) {
    return {
      title: "Could not reach the deletion service",
      text: sentence(error.message),
      details: technical(error),
    };
  }
  if (isBatchTimeoutError(error)) {
    return {
      title: "The deletion service did not answer in time",
      text: "It may be overloaded. Try again in a few minutes.",
      details: technical(error),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { title: "Something went wrong", text: sentence(message) };
}

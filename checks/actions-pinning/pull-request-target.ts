/**
 * Rule `dangerous-pull-request-target`: a workflow triggered by `pull_request_target` runs with
 * the base repository's secrets and a write token; checking out or fetching the pull request
 * head there runs untrusted code with them ("pwn request", GitHub Security Lab, "Keeping your
 * GitHub Actions and workflows secure Part 1").
 *
 * Flagged: an `actions/checkout` step whose `with.ref` names the PR head
 * (`github.event.pull_request.head.sha|ref`, `github.head_ref`, the merge commit,
 * `refs/pull/<n>/merge|head`) or whose `with.repository` is the PR head repository, and a
 * `run:` step that checks out or fetches such a ref (`git checkout|fetch|switch|pull|reset`,
 * `gh pr checkout`).
 */
import { isMap, isSeq, type Node } from 'yaml';
import type { Finding } from '../model.js';
import type { CompiledPinningConfig } from './config.js';
import { makeFinding } from './rules.js';
import { entries, getNode, items, spanOf, str, type ParsedYaml } from './source.js';

type Parsed = Extract<ParsedYaml, { ok: true }>;

/** Expressions and refs that name the pull request head (or its merge with the base). */
export const PR_HEAD =
  /github\.event\.pull_request\.head\.(?:sha|ref|repo)|github\.head_ref|github\.event\.pull_request\.merge_commit_sha|refs\/pull\/|pull\/\$\{\{\s*github\.event\.(?:number|pull_request\.number)/i;
const GIT_FETCH = /\bgit\s+(?:[\w-]+\s+)*?(?:checkout|fetch|switch|pull|reset|worktree\s+add)\b/i;
const GH_PR_CHECKOUT = /\bgh\s+pr\s+checkout\b/i;
const HEAD_REPO = /github\.event\.pull_request\.head\.repo\.(?:full_name|clone_url|html_url)/i;

/** True when the workflow's `on:` includes `pull_request_target` (string, list or map form). */
export function triggersOnPullRequestTarget(parsed: Parsed): boolean {
  const on = getNode(parsed.doc, parsed.doc.contents, 'on');
  if (str(on) !== undefined) return str(on) === 'pull_request_target';
  if (isSeq(on)) return items(parsed.doc, on).some((n) => str(n) === 'pull_request_target');
  if (isMap(on)) return entries(parsed.doc, on).some(([k]) => k === 'pull_request_target');
  return false;
}

/** Findings for each step of a `pull_request_target` workflow that checks out the PR head. */
export function checkPullRequestTarget(
  path: string,
  parsed: Parsed,
  cfg: CompiledPinningConfig,
): Finding[] {
  const level = cfg.level('dangerous-pull-request-target');
  if (!level || !triggersOnPullRequestTarget(parsed)) return [];
  const { doc, lines } = parsed;
  const findings: Finding[] = [];
  const flag = (node: Node | undefined, jobId: string, what: string, key: string) =>
    findings.push(
      makeFinding(
        'dangerous-pull-request-target',
        level,
        path,
        `pull_request_target job "${jobId}" ${what}`,
        {
          key: `job/${jobId}|${key}`,
          ...spanOf(lines, node),
          help: 'Use the pull_request event to build or test PR code. In pull_request_target, check out only the base (omit ref), or move the PR code into a separate job with `permissions: {}` and no secrets.',
        },
      ),
    );
  for (const [jobId, job] of entries(doc, getNode(doc, doc.contents, 'jobs'))) {
    items(doc, getNode(doc, job, 'steps')).forEach((step, i) => {
      const uses = str(getNode(doc, step, 'uses'));
      if (uses && /^actions\/checkout(@|$)/i.test(uses.trim())) {
        const withNode = getNode(doc, step, 'with');
        const refNode = getNode(doc, withNode, 'ref');
        const ref = str(refNode);
        if (ref && PR_HEAD.test(ref))
          flag(refNode, jobId, `checks out the pull request head (ref: ${ref})`, `ref|${ref}`);
        const repoNode = getNode(doc, withNode, 'repository');
        const repo = str(repoNode);
        if (repo && HEAD_REPO.test(repo)) {
          flag(
            repoNode,
            jobId,
            `checks out the pull request's repository (repository: ${repo})`,
            `repository|${repo}`,
          );
        }
      }
      const runNode = getNode(doc, step, 'run');
      const run = str(runNode);
      if (run && (GH_PR_CHECKOUT.test(run) || (GIT_FETCH.test(run) && PR_HEAD.test(run)))) {
        flag(
          runNode,
          jobId,
          `runs a command that checks out the pull request head (step ${i + 1})`,
          `run|${run.trim()}`,
        );
      }
    });
  }
  return findings;
}

/**
 * The App's own identity. Source: GitHub REST API, "Get the authenticated app"
 * (`GET /app`, authenticated with the App's JWT).
 */
import type { GitHubClient } from './client.js';
import { callGitHub } from './errors.js';

/** Who the App is: its numeric id, its slug, and the login its installation tokens act as. */
export interface AppIdentity {
  id: number;
  slug: string;
  name: string;
  /** The login of the App's bot user: `<slug>[bot]`. */
  botLogin: string;
}

/**
 * `GET /app` with a JWT-authenticated client. Proves that the App id and private key are
 * accepted by GitHub (used by `/readyz`). Rejects with GitHubAPIError.
 */
export async function getAuthenticatedApp(client: GitHubClient): Promise<AppIdentity> {
  const res = await callGitHub('GET', '/app', () => client.request('GET /app'));
  const data = res.data as { id: number; slug?: string; name: string } | null;
  if (!data) throw new Error('GET /app returned no body');
  const slug = data.slug ?? data.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return { id: data.id, slug, name: data.name, botLogin: `${slug}[bot]` };
}

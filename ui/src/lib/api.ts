// Typed calls into the Rust shell. This is the only module that calls
// `invoke`; every command's argument and result types are declared here and
// mirror the DTOs in `src-tauri/src/commands.rs`.

import { invoke } from '@tauri-apps/api/core';

/** Error codes the shell may return (mirrors `ErrorCode` in Rust). */
export type ErrorCode = 'internal';

/** The error shape every command rejects with. */
export interface UiError {
  code: ErrorCode;
  message: string;
}

/** Narrow an unknown rejection into a `UiError`. */
export function asUiError(err: unknown): UiError {
  if (typeof err === 'object' && err !== null && 'code' in err && 'message' in err) {
    const { code, message } = err as { code: unknown; message: unknown };
    if (typeof code === 'string' && typeof message === 'string') {
      return { code: code as ErrorCode, message };
    }
  }
  return { code: 'internal', message: String(err) };
}

/** Facts about this installation (mirrors `AppInfoDto`). */
export interface AppInfo {
  version: string;
  data_dir: string;
  vault_exists: boolean;
  sqlcipher_version: string;
}

/** Versions, data folder and whether a vault exists. */
export function appInfo(): Promise<AppInfo> {
  return invoke<AppInfo>('app_info');
}

// Every user-facing string of the UI, in English and Spanish.
// The Spanish dictionary is typed against the English keys, so a missing
// translation fails the type check; `messages.test.ts` checks the rest.

export const en = {
  'app.name': 'Hotline Desk',
  'app.tagline': 'Call log and scripts for immigrant-rights hotlines',
  'lang.label': 'Interface language',
  'lang.en': 'English',
  'lang.es': 'Español',
  'status.offline': 'Works offline — nothing leaves this laptop',
  'welcome.title': 'Welcome',
  'welcome.body':
    'Hotline Desk keeps call records in an encrypted vault on this laptop and guides you through each call in English and Spanish.',
  'about.title': 'About this laptop',
  'about.version': 'App version',
  'about.dataDir': 'Data folder',
  'about.vault': 'Vault',
  'about.vaultPresent': 'An encrypted vault exists on this laptop',
  'about.vaultAbsent': 'No vault on this laptop yet',
  'about.encryption': 'Encryption library',
  'about.loading': 'Reading…',
  'error.generic': 'Something went wrong inside the app. Nothing was saved or lost. Try again; if it keeps happening, tell your coordinator.',
} as const;

/** A key of the message dictionaries. */
export type MessageKey = keyof typeof en;

export const es: Record<MessageKey, string> = {
  'app.name': 'Hotline Desk',
  'app.tagline': 'Registro de llamadas y guiones para líneas de ayuda de derechos de inmigrantes',
  'lang.label': 'Idioma de la interfaz',
  'lang.en': 'English',
  'lang.es': 'Español',
  'status.offline': 'Funciona sin conexión — nada sale de esta computadora',
  'welcome.title': 'Bienvenida',
  'welcome.body':
    'Hotline Desk guarda los registros de llamadas en una bóveda cifrada en esta computadora y le guía en cada llamada en inglés y en español.',
  'about.title': 'Acerca de esta computadora',
  'about.version': 'Versión de la aplicación',
  'about.dataDir': 'Carpeta de datos',
  'about.vault': 'Bóveda',
  'about.vaultPresent': 'Hay una bóveda cifrada en esta computadora',
  'about.vaultAbsent': 'Todavía no hay una bóveda en esta computadora',
  'about.encryption': 'Biblioteca de cifrado',
  'about.loading': 'Leyendo…',
  'error.generic': 'Algo falló dentro de la aplicación. No se guardó ni se perdió nada. Intente de nuevo; si sigue pasando, avise a su coordinador(a).',
};

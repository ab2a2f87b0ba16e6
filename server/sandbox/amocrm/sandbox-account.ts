/** The account the sandbox serves by default: one admin and one manager who is not an admin. */
import type { EmulatedAccount } from './types.js';

export const SANDBOX_ACCOUNT: EmulatedAccount = {
  id: 30000001,
  host: 'sandbox.amocrm.ru',
  name: 'Sandbox Company',
  amojoId: 'a1b2c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  users: [
    { id: 40000001, name: 'Anna Admin', email: 'admin@sandbox.example', lang: 'en', amojoId: 'b2c3d4e5-6f7a-4b8c-9d0e-1f2a3b4c5d6e', isAdmin: true },
    { id: 40000002, name: 'Max Manager', email: 'manager@sandbox.example', lang: 'en', amojoId: 'c3d4e5f6-7a8b-4c9d-8e1f-2a3b4c5d6e7f', isAdmin: false },
  ],
  pipelines: [
    { id: 3001, name: 'Sales', isMain: true },
    { id: 3002, name: 'Support', isMain: false },
  ],
};

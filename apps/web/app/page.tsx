'use client';
import { useMemo } from 'react';
import { App } from '../components/App';
import { ApiClient } from '../lib/api';
import { API_BASE_URL } from '../lib/config';

export default function Page() {
  const api = useMemo(() => new ApiClient({ baseUrl: API_BASE_URL }), []);
  return <App api={api} />;
}

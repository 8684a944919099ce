'use client';
import { type FormEvent, useId, useState } from 'react';

/** Asks for the API key when the server needs one (or refused the one in use). */
export function ApiKeyPanel({
  refused,
  onKey,
}: {
  /** The server answered 401 to the key in use. */
  refused: boolean;
  onKey: (key: string) => void;
}) {
  const id = useId();
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const key = value.trim();
    if (key === '') {
      setProblem('Enter the API key.');
      return;
    }
    setProblem(null);
    setValue('');
    onKey(key);
  };

  return (
    <section className="panel access" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>This server needs a key</h2>
      <p id={`${id}-about`} role={refused ? 'alert' : undefined} className={refused ? 'error' : undefined}>
        {refused
          ? 'The server refused the API key. Enter a valid one.'
          : 'Enter an API key of this server. It is kept in this browser and sent with each request.'}
      </p>
      <form className="access__form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-key`} className="field__label">
            API key
          </label>
          <input
            id={`${id}-key`}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={value}
            aria-describedby={`${id}-about${problem ? ` ${id}-error` : ''}`}
            aria-invalid={problem ? true : undefined}
            onChange={(event) => setValue(event.currentTarget.value)}
          />
          {problem ? (
            <p id={`${id}-error`} className="field__error">
              {problem}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button button--primary">
          Use this key
        </button>
      </form>
    </section>
  );
}

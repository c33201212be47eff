import { AuthApiError, createAuthApi } from './api/auth-api.ts';

// A first page over the auth API: sign in or sign up and get a room. The talking room, memory
// and history pages are built on this in the browser-room issue.
const api = createAuthApi();
const app = document.querySelector<HTMLElement>('#app')!;

app.innerHTML = `
  <h1>Attune</h1>
  <form id="sign-in">
    <label>Email <input name="email" type="email" autocomplete="email" required /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" minlength="8" required /></label>
    <label>Name (new accounts) <input name="full_name" autocomplete="name" /></label>
    <button name="action" value="login">Sign in</button>
    <button name="action" value="register">Create account</button>
  </form>
  <p id="status" role="status"></p>
`;

const form = app.querySelector<HTMLFormElement>('#sign-in')!;
const status = app.querySelector<HTMLElement>('#status')!;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
  const data = new FormData(form);
  const email = String(data.get('email') ?? '');
  const password = String(data.get('password') ?? '');
  try {
    const signedIn =
      submitter?.value === 'register'
        ? await api.register({ email, password, full_name: String(data.get('full_name') ?? '') || email })
        : await api.login({ email, password });
    status.textContent = `Signed in as ${signedIn.user.full_name}. Your room: ${signedIn.room_name}`;
  } catch (error) {
    status.textContent = error instanceof AuthApiError ? error.message : 'The service could not be reached';
  }
});

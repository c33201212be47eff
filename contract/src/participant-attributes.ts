/**
 * The participant attributes the auth service signs into every LiveKit token it mints, and that
 * LiveKit hands the agent with the participant. The identity is always the user's id.
 */
export const ATTRIBUTE_USER_ID = 'attune.user_id';
export const ATTRIBUTE_SESSION_ID = 'attune.session_id';

// Forms: one submit handler that shows the failure and re-enables the button.
import { useState } from './html.js';
import { describe } from './api.js';

// action(formData) runs on submit; while it runs the form is busy, and if it throws, its error is
// shown (as describe() words it) and the form can be sent again.
export function useSubmit(action) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      await action(new FormData(e.target));
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

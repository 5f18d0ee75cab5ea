// Tailwind (v4, through PostCSS) compiles app/admin/admin.css only; app/globals.css is plain CSS.
export default { plugins: { '@tailwindcss/postcss': {} } };
